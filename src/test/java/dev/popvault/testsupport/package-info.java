/**
 * Provides what the integration tests need from the outside world: a private Dovecot server ({@link
 * dev.popvault.testsupport.DovecotServer}), a hostile-but-real mail corpus ({@link
 * dev.popvault.testsupport.Corpus}), a raw POP3 socket client for checking server state ({@link
 * dev.popvault.testsupport.RawPop3}) and readers that open archives with everyday tools ({@link
 * dev.popvault.testsupport.ArchiveTools}).
 *
 * <p>Test code only. It must not import any production package of popvault: the harness judges the
 * product, so it may not share the product's code (a bug shared by both would go unseen). External
 * programs that are missing skip a test visibly, or fail it when the environment variable {@code
 * CI} is set ({@link dev.popvault.testsupport.TestRequirements}).
 */
package dev.popvault.testsupport;
