package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.core.AccountBinding.Create;
import dev.popvault.core.AccountBinding.Decision;
import dev.popvault.core.AccountBinding.Move;
import dev.popvault.core.AccountBinding.Refuse;
import dev.popvault.core.AccountBinding.Request;
import dev.popvault.core.AccountBinding.Use;
import dev.popvault.ledger.AccountRow;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccountBindingTest {
  private static final AccountRow WORK =
      new AccountRow(1, "work", "Mail.Example.org", 995, "alice", null);
  private static final AccountRow DERIVED =
      new AccountRow(2, "bob@mail.example.org", "mail.example.org", 995, "bob", null);

  private static Decision decide(List<AccountRow> rows, Request request) {
    return AccountBinding.decide(rows, request, row -> 42);
  }

  private static Request derived(String user, int port) {
    return new Request(user + "@mail.example.org", false, "mail.example.org", port, user);
  }

  private static Request named(String name, String user, int port) {
    return new Request(name, true, "mail.example.org", port, user);
  }

  @Test
  void aUrlFindsTheAccountThatHoldsItsMailboxWhateverItsName() {
    assertThat(decide(List.of(WORK, DERIVED), derived("alice", 995))).isEqualTo(new Use(WORK));
    assertThat(decide(List.of(WORK, DERIVED), derived("bob", 995))).isEqualTo(new Use(DERIVED));
  }

  @Test
  void aGivenNameForAKnownMailboxIsRefusedWithTheExistingNameAndARenameHint() {
    Decision d = decide(List.of(WORK), named("home", "alice", 995));
    assertThat(d).isInstanceOf(Refuse.class);
    assertThat(((Refuse) d).message())
        .isEqualTo(
            "alice@mail.example.org:995 is already archived as account \"work\" (42 messages);"
                + " run with --account work, or rename it: popvault rename work home");
  }

  @Test
  void userNamesCompareExactly() {
    assertThat(decide(List.of(WORK), named("home", "Alice", 995))).isEqualTo(new Create("home"));
  }

  @Test
  void anotherPortIsAnotherMailboxUnlessTheExistingAccountIsNamed() {
    AccountRow alice =
        new AccountRow(3, "alice@mail.example.org", "mail.example.org", 995, "alice", null);
    assertThat(decide(List.of(alice), derived("alice", 1995)))
        .isInstanceOfSatisfying(
            Refuse.class,
            r -> assertThat(r.message()).contains("port 1995 counts as another mailbox"));
    assertThat(decide(List.of(alice), named("second", "alice", 1995)))
        .isEqualTo(new Create("second"));
    assertThat(decide(List.of(alice), named("alice@mail.example.org", "alice", 1995)))
        .isEqualTo(new Move(alice));
  }

  @Test
  void anExistingNameIsNotMovedToAnotherUserOrHost() {
    assertThat(decide(List.of(WORK), named("work", "mallory", 995)))
        .isInstanceOfSatisfying(
            Refuse.class,
            r -> assertThat(r.message()).contains("another mailbox needs a name of its own"));
  }

  @Test
  void anUnfinishedRenameBlocksBothNames() {
    AccountRow renaming = new AccountRow(1, "work", "mail.example.org", 995, "alice", "job");
    for (Request r :
        List.of(
            derived("alice", 995),
            named("work", "alice", 995),
            named("job", "alice", 995),
            named("job", "carol", 110))) {
      assertThat(decide(List.of(renaming), r))
          .as(r.toString())
          .isInstanceOfSatisfying(
              Refuse.class,
              x -> assertThat(x.message()).contains("finish it first: popvault rename work job"));
    }
  }

  @Test
  void namesThatShareADirectoryAreRefused() {
    AccountRow spaced = new AccountRow(5, "a b", "other.example", 995, "x", null);
    assertThat(decide(List.of(spaced), named("a_b", "alice", 995)))
        .isInstanceOfSatisfying(
            Refuse.class, r -> assertThat(r.message()).contains("share the archive directory"));
  }
}
