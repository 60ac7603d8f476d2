package dev.popvault.config;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Supplies a password without it ever passing through argv: a file, a command's first output line,
 * an environment variable, or a prompt on the terminal. The returned array belongs to the caller,
 * who should wipe it after use. Error messages never contain the secret.
 */
public sealed interface PasswordSource {
  /** Names the environment variable read when no other source is given. */
  String ENV_VAR = "POPVAULT_PASSWORD";

  /** Returns the password (without a trailing line break). */
  char[] read() throws ConfigException;

  /** Describes the source for logs ("file /x", "command pass", ...), never the secret. */
  String describe();

  /** Runs {@code command} for an OAuth2 access token; its errors say "token command". */
  static PasswordSource tokenCommand(String command, Duration timeout) {
    return new FromCommand(command, timeout, "token command");
  }

  /**
   * Picks the source the user asked for: file, then command, then {@code POPVAULT_PASSWORD}, then
   * the terminal.
   *
   * @throws ConfigException when both a file and a command are given, or no source is usable
   */
  static PasswordSource choose(
      Path file, String command, Duration commandTimeout, Map<String, String> env, Console console)
      throws ConfigException {
    return choose(null, file, command, commandTimeout, env, console, FromPrompt.PLAIN);
  }

  /**
   * Picks the source like {@link #choose(Path, String, Duration, Map, Console)}, with a password
   * from the accounts file ({@code inline}) first; a prompt on the terminal says {@code prompt}
   * (see {@link #promptFor}).
   */
  static PasswordSource choose(
      String inline,
      Path file,
      String command,
      Duration commandTimeout,
      Map<String, String> env,
      Console console,
      String prompt)
      throws ConfigException {
    if (inline != null) {
      return new FromValue(inline.toCharArray(), "accounts file");
    }
    if (file != null && command != null) {
      throw new ConfigException("give either --password-file or --password-command, not both");
    }
    if (file != null) {
      return new FromFile(file);
    }
    if (command != null) {
      return new FromCommand(command, commandTimeout);
    }
    if (env.get(ENV_VAR) != null && env.get(ENV_VAR).isEmpty()) {
      throw new ConfigException(
          ENV_VAR + " is set but empty; set it to the password, or unset it to use another source");
    }
    if (env.get(ENV_VAR) != null) {
      return new FromValue(env.get(ENV_VAR).toCharArray(), "environment " + ENV_VAR);
    }
    if (console != null) {
      return new FromPrompt(console, prompt);
    }
    throw new ConfigException(
        "no password source: use --password-file FILE, --password-command CMD, "
            + ENV_VAR
            + ", or run on a terminal to be prompted");
  }

  /** Reads the first line of a file. */
  record FromFile(Path file) implements PasswordSource {
    @Override
    public char[] read() throws ConfigException {
      if (Files.isDirectory(file)) {
        throw new ConfigException("password file " + file + " is a directory");
      }
      // Refused like an accounts file holding a password: a secret others may read is not one.
      ConfigFile.requirePrivate(file, "password file " + file);
      try (InputStream in = Files.newInputStream(file)) {
        return firstLine(in.readNBytes(64 * 1024), "password file " + file);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new ConfigException("password file " + file + ": no such file");
      } catch (java.nio.file.AccessDeniedException e) {
        throw new ConfigException("password file " + file + ": permission denied");
      } catch (IOException e) {
        // The message of an I/O error names the file and the reason; never the content.
        throw new ConfigException(
            "cannot read password file "
                + file
                + ": "
                + (e.getMessage() == null ? "I/O error" : e.getMessage()));
      }
    }

    @Override
    public String describe() {
      return "file " + file;
    }
  }

  /**
   * Runs a command without a shell (words split on blanks, single and double quotes group words)
   * and takes the first line of its standard output. Its standard error is passed through on
   * failure only.
   */
  record FromCommand(String command, Duration timeout, String label) implements PasswordSource {
    /** A password command. */
    FromCommand(String command, Duration timeout) {
      this(command, timeout, "password command");
    }

    @Override
    public char[] read() throws ConfigException {
      List<String> words = splitWords(command);
      if (words.isEmpty()) {
        throw new ConfigException(label + " is empty");
      }
      Process process;
      try {
        process = new ProcessBuilder(words).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
      } catch (IOException e) {
        throw new ConfigException(
            "cannot run " + label + " '" + words.get(0) + "': " + e.getMessage());
      }
      try {
        process.getOutputStream().close();
        // Read both pipes off-thread so that a hanging command still hits the timeout.
        CompletableFuture<byte[]> out = drain(process.getInputStream(), 64 * 1024);
        CompletableFuture<byte[]> err = drain(process.getErrorStream(), 4 * 1024);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new ConfigException(
              label
                  + " '"
                  + words.get(0)
                  + "' did not finish within "
                  + timeout.toSeconds()
                  + " s");
        }
        if (process.exitValue() != 0) {
          String why =
              new String(err.join(), StandardCharsets.UTF_8)
                  .strip()
                  .replaceAll("[\\p{Cntrl}]+", " ");
          throw new ConfigException(
              label
                  + " '"
                  + words.get(0)
                  + "' failed (exit "
                  + process.exitValue()
                  + ")"
                  + (why.isEmpty() ? "" : ": " + why));
        }
        return firstLine(out.join(), "output of " + label + " '" + words.get(0) + "'");
      } catch (IOException e) {
        throw new ConfigException(label + " '" + words.get(0) + "' failed: " + e.getMessage());
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new ConfigException("interrupted while running the " + label);
      }
    }

    @Override
    public String describe() {
      return "command " + splitWordsOrEmpty(command);
    }

    private static String splitWordsOrEmpty(String command) {
      try {
        List<String> words = splitWords(command);
        return words.isEmpty() ? "" : words.get(0);
      } catch (ConfigException e) {
        return "";
      }
    }
  }

  /** Uses a value given in the environment ({@code POPVAULT_PASSWORD}) or the accounts file. */
  record FromValue(char[] value, String origin) implements PasswordSource {
    @Override
    public char[] read() {
      return value.clone();
    }

    @Override
    public String describe() {
      return origin;
    }

    @Override
    public String toString() {
      return "FromValue[****]";
    }
  }

  /**
   * Returns the terminal prompt for {@code user} at {@code host}: "Password for
   * carol@pop.example.net (account work): ", without the account when it is the default name {@code
   * user@host} or null.
   */
  static String promptFor(String user, String host, String account) {
    String mailbox = user + "@" + host;
    return "Password for "
        + mailbox
        + (account == null || account.equals(mailbox) ? "" : " (account " + account + ")")
        + ": ";
  }

  /** Asks on the controlling terminal, without echo, saying {@code prompt}. */
  record FromPrompt(Console console, String prompt) implements PasswordSource {
    /** The prompt when nothing names the mailbox. */
    static final String PLAIN = "Password: ";

    /** Asks with the plain prompt. */
    public FromPrompt(Console console) {
      this(console, PLAIN);
    }

    @Override
    public char[] read() throws ConfigException {
      // The prompt holds user, host and account names: never a format string.
      char[] password = console.readPassword("%s", prompt);
      if (password == null) {
        throw new ConfigException("no password entered");
      }
      return password;
    }

    @Override
    public String describe() {
      return "terminal prompt";
    }
  }

  /**
   * Splits a command line into words: blanks separate, quotes group, backslash escapes outside
   * single quotes.
   */
  static List<String> splitWords(String line) throws ConfigException {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\\' && i + 1 < line.length()) {
        word.append(line.charAt(++i));
        inWord = true;
      } else if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new ConfigException("password command has an unclosed quote");
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /** Decodes the first line (UTF-8) of raw bytes and wipes the raw bytes. */
  private static char[] firstLine(byte[] raw, String what) throws ConfigException {
    try {
      int end = 0;
      while (end < raw.length && raw[end] != '\n' && raw[end] != '\r') {
        end++;
      }
      if (end == 0) {
        throw new ConfigException(what + " is empty");
      }
      CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw, 0, end));
      char[] password = new char[chars.remaining()];
      chars.get(password);
      Arrays.fill(chars.array(), '\0');
      return password;
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** Reads at most {@code limit} bytes of a stream on a daemon thread, discarding the rest. */
  private static CompletableFuture<byte[]> drain(InputStream in, int limit) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (in) {
                byte[] kept = in.readNBytes(limit);
                in.transferTo(OutputStream.nullOutputStream());
                result.complete(kept);
              } catch (IOException e) {
                result.complete(new byte[0]);
              }
            },
            "password-command-reader");
    reader.setDaemon(true);
    reader.start();
    return result;
  }
}
