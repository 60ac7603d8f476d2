package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.pop3.ListEntry;
import dev.popvault.pop3.Listing;
import dev.popvault.pop3.Pop3Exception;
import dev.popvault.pop3.Uidl;
import dev.popvault.pop3.UidlEntry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The listing joins UIDL and LIST by number and plans from the ledger's keys alone (M5). */
class MailboxListingTest {
  private static Listing listing(List<UidlEntry> uidls, List<ListEntry> sizes) {
    return new Listing(uidls, sizes);
  }

  private static UidlEntry uidl(int n, String id) {
    return new UidlEntry(n, new Uidl(id));
  }

  @Test
  void keysAreUidlAndListSizeInServerOrder() throws Pop3Exception {
    MailboxListing l =
        MailboxListing.of(
            listing(
                List.of(uidl(2, "b"), uidl(1, "a")),
                List.of(new ListEntry(1, 100), new ListEntry(2, 200))));

    assertThat(l.entries())
        .containsExactly(
            new MailboxListing.Listed(2, new ArchivedKey("b", 200)),
            new MailboxListing.Listed(1, new ArchivedKey("a", 100)));
    assertThat(l.keyOf(1)).isEqualTo(new ArchivedKey("a", 100));
    assertThat(l.numberByKey()).containsEntry(new ArchivedKey("b", 200), 2);
  }

  @Test
  void m5_thePlanIsWhatTheLedgerDoesNotHoldBySameUidlAndSize() throws Pop3Exception {
    MailboxListing l =
        MailboxListing.of(
            listing(
                List.of(uidl(1, "a"), uidl(2, "b"), uidl(3, "c")),
                List.of(new ListEntry(1, 10), new ListEntry(2, 20), new ListEntry(3, 30))));

    // "b" was archived with another size: the server reused its UIDL for another message.
    assertThat(l.notIn(Set.of(new ArchivedKey("a", 10), new ArchivedKey("b", 21))))
        .extracting(FramePipeline.Planned::number)
        .containsExactly(2, 3);
  }

  @Test
  void aMessageInListButNotInUidlIsAProtocolError() {
    assertThatThrownBy(
            () ->
                MailboxListing.of(
                    listing(
                        List.of(uidl(1, "a")), List.of(new ListEntry(1, 1), new ListEntry(2, 2)))))
        .isInstanceOf(Pop3Exception.class)
        .hasMessage("server listed message 2 in LIST but not in UIDL");
  }

  @Test
  void aMessageInUidlButNotInListIsAProtocolError() {
    assertThatThrownBy(
            () ->
                MailboxListing.of(
                    listing(List.of(uidl(1, "a"), uidl(2, "b")), List.of(new ListEntry(1, 1)))))
        .isInstanceOf(Pop3Exception.class)
        .hasMessage("server listed message 2 in UIDL but not in LIST");
  }
}
