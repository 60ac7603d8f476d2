package dev.popvault.pop3;

import java.util.List;
import java.util.Objects;

/**
 * The mailbox as one session listed it: the UIDL listing and the LIST (scan) listing, in server
 * order.
 */
public record Listing(List<UidlEntry> uidls, List<ListEntry> sizes) {
  public Listing {
    uidls = List.copyOf(Objects.requireNonNull(uidls, "uidls"));
    sizes = List.copyOf(Objects.requireNonNull(sizes, "sizes"));
  }
}
