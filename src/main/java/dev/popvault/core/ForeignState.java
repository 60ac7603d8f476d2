package dev.popvault.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the UIDLs other POP3 tools recorded as downloaded, in the formats they write (see
 * docs/design.md "Adopting other tools' state"). Each reader keeps the entries of one mailbox (user
 * at host) and refuses a file that names none of it, so that one account's state is never adopted
 * for another.
 */
enum ForeignState {
  /** mpop's UIDL file: '#' comments, then per list a line " N host user" and N UIDLs. */
  MPOP("mpop", false) {
    @Override
    Set<String> read(List<String> lines, String host, String user, Path file) {
      Set<String> uidls = new LinkedHashSet<>();
      Set<String> seen = new LinkedHashSet<>();
      int i = 0;
      while (i < lines.size() && lines.get(i).startsWith("#")) {
        i++;
      }
      while (i < lines.size()) {
        String[] head = lines.get(i).strip().split(" ");
        if (lines.get(i).isBlank()) {
          i++;
          continue;
        }
        if (head.length != 3 || !head[0].chars().allMatch(Character::isDigit)) {
          throw unreadable(file, "line " + (i + 1) + " is not a list header \" N host user\"");
        }
        int n = Integer.parseInt(head[0]);
        boolean ours = head[1].equalsIgnoreCase(host) && head[2].equals(user);
        seen.add(head[2] + "@" + head[1]);
        for (int k = 1; k <= n; k++) {
          if (i + k >= lines.size()) {
            throw unreadable(file, "the list for " + head[2] + "@" + head[1] + " is cut short");
          }
          if (ours) {
            uidls.add(lines.get(i + k));
          }
        }
        i += n + 1;
      }
      return mine(uidls, seen, host, user, file);
    }
  },
  /** fetchmail's .fetchids: "remotename@queryname UIDL" per line. */
  FETCHMAIL("fetchmail", false) {
    @Override
    Set<String> read(List<String> lines, String host, String user, Path file) {
      Set<String> uidls = new LinkedHashSet<>();
      Set<String> seen = new LinkedHashSet<>();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isBlank()) {
          continue;
        }
        int at = line.indexOf('@');
        int space = at < 0 ? -1 : line.indexOf(' ', at);
        if (space < 0 || space == line.length() - 1) {
          throw unreadable(file, "line " + (i + 1) + " is not \"user@server UIDL\"");
        }
        String key = line.substring(0, space);
        int last = key.lastIndexOf('@');
        String keyUser = key.substring(0, last);
        String keyHost = key.substring(last + 1);
        seen.add(keyUser + "@" + keyHost);
        if (keyHost.equalsIgnoreCase(host) && keyUser.equals(user)) {
          uidls.add(line.substring(space + 1));
        }
      }
      return mine(uidls, seen, host, user, file);
    }
  },
  /**
   * getmail's oldmail-SERVER-PORT-USER file (one per mailbox): "UIDL\0TIME" per line, '/' in a UIDL
   * written as '-'.
   */
  GETMAIL("getmail", true) {
    @Override
    Set<String> read(List<String> lines, String host, String user, Path file) {
      String name = file.getFileName().toString();
      if (!name.startsWith("oldmail-") || !name.contains(host) && !name.contains(safe(host))) {
        throw unreadable(
            file, "its name does not name the server " + host + " (oldmail-SERVER-PORT-USER)");
      }
      Set<String> uidls = new LinkedHashSet<>();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isEmpty()) {
          continue;
        }
        int nul = line.indexOf('\0');
        if (nul <= 0) {
          throw unreadable(file, "line " + (i + 1) + " is not \"UIDL\\0TIME\"");
        }
        uidls.add(line.substring(0, nul));
      }
      return uidls;
    }
  },
  /**
   * Thunderbird's popstate.dat: '#' comments, "*host user" per account, then "STATUS UIDL TIME";
   * only k (kept) and d (to delete) were downloaded whole (b: headers only, f: not yet fetched).
   */
  THUNDERBIRD("thunderbird", false) {
    @Override
    Set<String> read(List<String> lines, String host, String user, Path file) {
      Set<String> uidls = new LinkedHashSet<>();
      Set<String> seen = new LinkedHashSet<>();
      boolean ours = false;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        if (line.startsWith("*")) {
          String[] head = line.substring(1).strip().split(" ", 2);
          if (head.length != 2) {
            throw unreadable(file, "line " + (i + 1) + " is not \"*host user\"");
          }
          seen.add(head[1] + "@" + head[0]);
          ours = head[0].equalsIgnoreCase(host) && head[1].equals(user);
          continue;
        }
        String[] entry = line.strip().split(" ");
        if (entry.length < 2 || entry[0].length() != 1) {
          throw unreadable(file, "line " + (i + 1) + " is not \"STATUS UIDL TIME\"");
        }
        if (ours && (entry[0].equals("k") || entry[0].equals("d"))) {
          uidls.add(entry[1]);
        }
      }
      return mine(uidls, seen, host, user, file);
    }
  };

  private final String word;
  private final boolean slashAsDash;

  ForeignState(String word, boolean slashAsDash) {
    this.word = word;
    this.slashAsDash = slashAsDash;
  }

  /** The tool's name, as {@code --from} takes it. */
  String word() {
    return word;
  }

  /** The tool wrote '/' in a UIDL as '-'. */
  boolean slashAsDash() {
    return slashAsDash;
  }

  abstract Set<String> read(List<String> lines, String host, String user, Path file);

  /** Reads {@code file} and returns the UIDLs recorded for {@code user} at {@code host}. */
  Set<String> read(Path file, String host, String user) throws IOException {
    // ISO-8859-1 keeps every byte: UIDLs are 0x21-0x7E, and nothing else is interpreted.
    return read(Files.readAllLines(file, StandardCharsets.ISO_8859_1), host, user, file);
  }

  /** The tool named {@code word}, or a usage error listing the known ones. */
  static ForeignState of(String word) {
    for (ForeignState s : values()) {
      if (s.word.equals(word.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    List<String> known = new ArrayList<>();
    for (ForeignState s : values()) {
      known.add(s.word);
    }
    throw new PopvaultException(
        ExitCode.USAGE, "--from must be one of " + String.join(", ", known) + ", not " + word);
  }

  private static Set<String> mine(
      Set<String> uidls, Set<String> seen, String host, String user, Path file) {
    if (uidls.isEmpty() && !seen.isEmpty()) {
      throw new PopvaultException(
          ExitCode.DATA_ERROR,
          file
              + " records no message of "
              + user
              + "@"
              + host
              + " (it has "
              + String.join(", ", seen)
              + ")");
    }
    return uidls;
  }

  private static String safe(String host) {
    return host.replaceAll("[/\\\\:;<>|]", "-");
  }

  private static PopvaultException unreadable(Path file, String why) {
    return new PopvaultException(
        ExitCode.DATA_ERROR, file + " is not a state file of this tool: " + why);
  }
}
