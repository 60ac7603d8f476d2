package dev.popvault.cli;

import dev.popvault.config.ConfigException;
import dev.popvault.core.ServerList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/** The sort keys as typed: the names of {@link ServerList.Order} in lower case. */
final class SortKeys implements Iterable<String> {
  @Override
  public Iterator<String> iterator() {
    return Arrays.stream(ServerList.Order.values())
        .map(o -> o.name().toLowerCase(Locale.ROOT))
        .iterator();
  }

  static ServerList.Order parse(String key) throws ConfigException {
    for (ServerList.Order order : ServerList.Order.values()) {
      if (order.name().equalsIgnoreCase(key)) {
        return order;
      }
    }
    throw new ConfigException(
        "--sort must be one of " + String.join(", ", new SortKeys()) + ", not \"" + key + "\"",
        true);
  }
}
