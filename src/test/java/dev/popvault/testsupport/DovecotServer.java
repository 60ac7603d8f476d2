package dev.popvault.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a private Dovecot 2.3 instance (POP3 with STLS, POP3S, IMAP) on free 127.0.0.1 ports for one
 * test class, with its own configuration, maildirs, passwd-file and log under a work directory.
 *
 * <p>Must run as root: Dovecot's master starts as root and drops privileges; mail belongs to {@code
 * nobody:nogroup}. Call {@link #requireAvailable()} first so that a machine without Dovecot skips
 * (or, on CI, fails) visibly. Always {@link #close()} the server: it stops the master and every
 * child process.
 *
 * <p>Configuration: {@code src/test/resources/dovecot/dovecot.conf.template}. {@code
 * pop3_uidl_format = %f}, so the UIDL of a message is the file name given to {@link #deliver}.
 * Plaintext login is allowed (TLS is offered, not required), APOP works (passwords are stored
 * {@code {PLAIN}}).
 *
 * <p>Typical use in an integration test:
 *
 * <pre>{@code
 * @BeforeAll
 * static void server(@TempDir Path dir) {
 *   DovecotServer.requireAvailable();
 *   server = DovecotServer.start(dir);
 *   server.addUser("alice", "secret");
 *   for (CorpusMessage m : Corpus.standard(1, false)) {
 *     server.deliver("alice", m.name(), m.content());
 *   }
 * }
 * // pop3://alice@127.0.0.1:<server.pop3Port()>, CA file server.caFile(); after the run:
 * // server.remainingMessages("alice"), Corpus.expectedWireBytes(m.content()) for exported bytes.
 * }</pre>
 *
 * <p>Dovecot delays the first login from 127.0.0.1 after a failed one by about 4 s (its auth
 * penalty); tests of wrong passwords cost that much time.
 *
 * <p>Test passwords are secrets for the purpose of the product's rules, so this class never writes
 * them into exception messages.
 */
public final class DovecotServer implements AutoCloseable {

  /**
   * Selects the certificate the server presents, all signed by the test CA in {@code tls/ca.pem}.
   */
  public enum TlsVariant {
    /** {@code CN=localhost}, SAN {@code DNS:localhost, IP:127.0.0.1}, valid 2020–2120. */
    SERVER("server"),
    /**
     * {@code CN=wrong.example}, SAN {@code DNS:wrong.example} only: hostname verification must
     * fail.
     */
    WRONG_HOST("wronghost"),
    /** For localhost/127.0.0.1 but valid only on 2020-01-01: chain validation must fail. */
    EXPIRED("expired");

    private final String baseName;

    TlsVariant(String baseName) {
      this.baseName = baseName;
    }
  }

  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final String MAIL_OWNER = "nobody";
  private static final String MAIL_GROUP = "nogroup";

  private final Path workDir;
  private final Path baseDir;
  private final boolean baseDirIsTemp;
  private final Path config;
  private final Path passwdFile;
  private final Path mailDir;
  private final Path logFile;
  private final Path stdoutFile;
  private final Path caFile;
  private final String certSha256;
  private final String instanceName;
  private final int pop3Port;
  private final int pop3sPort;
  private final int imapPort;
  private final Map<String, String> users = new LinkedHashMap<>();
  private Process master;
  private Thread shutdownHook;

  private DovecotServer(Path workDir, TlsVariant tls) throws IOException {
    this.workDir = workDir.toAbsolutePath().normalize();
    Files.createDirectories(this.workDir);
    makeTraversable(this.workDir);
    // Unix socket paths are limited to 108 bytes; base_dir holds sockets two levels deep.
    Path preferredBase = this.workDir.resolve("run");
    baseDirIsTemp = preferredBase.toString().length() > 60;
    baseDir =
        baseDirIsTemp
            ? Files.createTempDirectory(Path.of("/tmp"), "pvdc-")
            : Files.createDirectories(preferredBase);
    Files.setPosixFilePermissions(baseDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path stateDir = Files.createDirectories(this.workDir.resolve("state"));
    mailDir = Files.createDirectories(this.workDir.resolve("mail"));
    Files.setPosixFilePermissions(mailDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    chownToMailOwner(mailDir);
    Path tlsDir = Files.createDirectories(this.workDir.resolve("tls"));
    caFile = copyResource("tls/ca.pem", tlsDir.resolve("ca.pem"));
    Path cert = copyResource("tls/" + tls.baseName + ".pem", tlsDir.resolve("server.pem"));
    Path key = copyResource("tls/" + tls.baseName + ".key", tlsDir.resolve("server.key"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    certSha256 = sha256Fingerprint(cert);
    passwdFile = this.workDir.resolve("passwd");
    writePasswdFile();
    logFile = this.workDir.resolve("dovecot.log");
    stdoutFile = this.workDir.resolve("dovecot.stdout");
    instanceName = "pvt" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = freePorts(3);
    pop3Port = ports[0];
    pop3sPort = ports[1];
    imapPort = ports[2];
    Map<String, String> values = new LinkedHashMap<>();
    values.put("INSTANCE", instanceName);
    values.put("BASE_DIR", baseDir.toString());
    values.put("STATE_DIR", stateDir.toString());
    values.put("LOG_FILE", logFile.toString());
    values.put("SSL_CERT", cert.toString());
    values.put("SSL_KEY", key.toString());
    values.put("PASSWD_FILE", passwdFile.toString());
    values.put("MAIL_DIR", mailDir.toString());
    values.put("POP3_PORT", Integer.toString(pop3Port));
    values.put("POP3S_PORT", Integer.toString(pop3sPort));
    values.put("IMAP_PORT", Integer.toString(imapPort));
    config = this.workDir.resolve("dovecot.conf");
    Files.writeString(config, fillTemplate(values));
  }

  /**
   * Returns whether this machine can run the server: {@code dovecot} is installed and we are root.
   */
  public static boolean available() {
    return TestRequirements.findOnPath("dovecot") != null && runningAsRoot();
  }

  /**
   * Skips the calling test (class, when called from {@code @BeforeAll}) with a visible reason when
   * {@link #available()} is false; fails it instead when the environment variable {@code CI} is
   * set.
   */
  public static void requireAvailable() {
    if (TestRequirements.findOnPath("dovecot") == null) {
      TestRequirements.require(
          false,
          "dovecot not installed: apt-get install dovecot-pop3d dovecot-imapd (see .ci/run)");
    }
    TestRequirements.require(
        runningAsRoot(), "dovecot tests need root: Dovecot's master must start as root");
  }

  /** Starts a server presenting the default certificate ({@link TlsVariant#SERVER}). */
  public static DovecotServer start(Path workDir) {
    return start(workDir, TlsVariant.SERVER);
  }

  /**
   * Starts a server under {@code workDir} and waits until all three ports accept connections.
   *
   * @param workDir a fresh directory (users and mail of an earlier instance there are not carried
   *     over), created if missing and made traversable (0755) because Dovecot reads it as {@code
   *     nobody}; its ancestors must already be traversable (a JUnit {@code @TempDir} itself is
   *     fine, a subdirectory of one is not)
   * @throws IllegalStateException if Dovecot does not come up within 10 s, with the tail of its log
   */
  public static DovecotServer start(Path workDir, TlsVariant tls) {
    return start(workDir, tls, "");
  }

  /**
   * Starts a server as {@link #start(Path, TlsVariant)} does, with {@code extraConfig} appended to
   * its configuration (a later setting overrides an earlier one; a block adds to them).
   */
  public static DovecotServer start(Path workDir, TlsVariant tls, String extraConfig) {
    DovecotServer server;
    try {
      server = new DovecotServer(workDir, tls);
      if (!extraConfig.isEmpty()) {
        Files.writeString(server.config, extraConfig, java.nio.file.StandardOpenOption.APPEND);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Dovecot work directory " + workDir, e);
    }
    try {
      server.launch();
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void launch() {
    String dovecot = TestRequirements.findOnPath("dovecot").toString();
    try {
      master =
          new ProcessBuilder(dovecot, "-F", "-c", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(stdoutFile.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + dovecot, e);
    }
    // A test JVM that exits without close() (a crash, an aborted run) must not leave Dovecot
    // running.
    Process started = master;
    shutdownHook = new Thread(() -> stop(started, instanceName), "stop-dovecot-" + instanceName);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    for (int port : new int[] {pop3Port, pop3sPort, imapPort}) {
      while (!accepts(port)) {
        if (!master.isAlive()) {
          throw new IllegalStateException(
              "dovecot exited with status " + master.exitValue() + " during start\n" + logTail());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "dovecot did not accept connections on 127.0.0.1:"
                  + port
                  + " within "
                  + START_TIMEOUT.toSeconds()
                  + " s\n"
                  + logTail());
        }
        sleep(50);
      }
    }
  }

  /** Returns the POP3 port (plaintext, STLS offered). */
  public int pop3Port() {
    return pop3Port;
  }

  /** Returns the POP3S port (implicit TLS). */
  public int pop3sPort() {
    return pop3sPort;
  }

  /** Returns the IMAP port (plaintext, STARTTLS offered). */
  public int imapPort() {
    return imapPort;
  }

  /** Returns a PEM file holding the test CA that signed every server certificate variant. */
  public Path caFile() {
    return caFile;
  }

  /**
   * Returns the SHA-256 fingerprint of the DER-encoded leaf certificate the server presents, as
   * upper-case hex pairs joined by colons (the form of {@code openssl x509 -fingerprint -sha256}).
   */
  public String certSha256() {
    return certSha256;
  }

  /** Returns the work directory given to {@link #start}. */
  public Path workDir() {
    return workDir;
  }

  /**
   * Adds a user, or changes the password of an existing one, by atomically replacing the
   * passwd-file; Dovecot rereads it on the next login. Also creates the user's empty maildir.
   *
   * @param password stored as {@code {PLAIN}} so that APOP works; must not contain ':' or line
   *     breaks
   */
  public synchronized void addUser(String user, String password) {
    checkUser(user);
    if (password.isEmpty() || password.chars().anyMatch(c -> c == ':' || c == '\n' || c == '\r')) {
      // The password itself stays out of the message.
      throw new IllegalArgumentException(
          "password for " + user + " is empty or contains ':' or a line break");
    }
    users.put(user, password);
    try {
      writePasswdFile();
      userMaildir(user);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot add user " + user, e);
    }
  }

  /**
   * Stores {@code content} as a message of {@code user}: written to {@code tmp/} and renamed into
   * {@code cur/<fileName>:2,}, owned by {@code nobody:nogroup}. Its UIDL is {@code fileName}.
   *
   * @param fileName 1–70 characters in 0x21–0x7E (a valid UIDL), without '/' or ':', not starting
   *     with '.'
   */
  public void deliver(String user, String fileName, byte[] content) {
    checkUser(user);
    if (fileName.isEmpty()
        || fileName.length() > 70
        || fileName.startsWith(".")
        || !fileName.chars().allMatch(c -> c >= 0x21 && c <= 0x7E && c != '/' && c != ':')) {
      throw new IllegalArgumentException("not a usable maildir file name / UIDL: " + fileName);
    }
    try {
      Path maildir = userMaildir(user);
      Path tmp = maildir.resolve("tmp").resolve(fileName);
      Files.write(tmp, content);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      chownToMailOwner(tmp);
      // The rename is what makes the message visible: Dovecot never sees a half-written file.
      Files.move(
          tmp, maildir.resolve("cur").resolve(fileName + ":2,"), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot deliver " + fileName + " to " + user, e);
    }
  }

  /** Returns {@code user}'s Maildir (cur/, new/, tmp/) as Dovecot keeps it. */
  public Path maildir(String user) {
    checkUser(user);
    return mailDir.resolve(user);
  }

  /**
   * Returns the base names (without the {@code :2,…} info suffix) of the messages left in {@code
   * user}'s {@code new/} and {@code cur/}, sorted.
   */
  public List<String> remainingMessages(String user) {
    checkUser(user);
    Path maildir = mailDir.resolve(user);
    List<String> names = new ArrayList<>();
    for (String sub : List.of("new", "cur")) {
      Path dir = maildir.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        files.map(p -> p.getFileName().toString()).forEach(name -> names.add(baseName(name)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    }
    names.sort(Comparator.naturalOrder());
    return names;
  }

  /**
   * Returns the maildir flags of {@code user}'s message {@code baseName} (the letters after {@code
   * :2,}, e.g. "S" once it was retrieved), or null if the message is gone.
   */
  public String flags(String user, String baseName) {
    checkUser(user);
    Path maildir = mailDir.resolve(user);
    for (String sub : List.of("new", "cur")) {
      Path dir = maildir.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          String name = p.getFileName().toString();
          if (baseName(name).equals(baseName)) {
            int info = name.indexOf(":2,");
            return info < 0 ? "" : name.substring(info + 3);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    }
    return null;
  }

  /**
   * Returns the processes of this instance that are alive now: the master, its descendants, and
   * children orphaned by the master's exit. Empty after {@link #close()}.
   */
  public synchronized List<ProcessHandle> processes() {
    return master == null
        ? List.of()
        : instanceProcesses(master, instanceName).stream()
            .filter(ProcessHandle::isAlive)
            .distinct()
            .toList();
  }

  /**
   * Returns the Dovecot instance name; every process of this instance shows it in its title ({@code
   * dovecot-<name>/pop3-login}).
   */
  public String instanceName() {
    return instanceName;
  }

  /**
   * Returns the last 60 lines of Dovecot's log and of its stdout/stderr, for assertion messages.
   */
  public String logTail() {
    return "--- "
        + logFile
        + " ---\n"
        + tail(logFile, 60)
        + "--- "
        + stdoutFile
        + " ---\n"
        + tail(stdoutFile, 20);
  }

  /**
   * Stops the master (SIGTERM) and every process of the instance; idempotent. The master exits
   * within about a second, but its children (log, stats, a pop3 process serving an open connection)
   * can linger as orphans for 30 s, so whatever is left a second after the master exited is killed
   * (SIGKILL).
   *
   * @throws IllegalStateException if a process of the instance is still alive afterwards
   */
  @Override
  public synchronized void close() {
    if (master != null) {
      List<ProcessHandle> survivors = stop(master, instanceName);
      if (!survivors.isEmpty()) {
        throw new IllegalStateException("dovecot processes survived close(): " + survivors);
      }
      master = null;
    }
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook runs anyway and finds nothing alive.
      }
      shutdownHook = null;
    }
    if (baseDirIsTemp) {
      deleteRecursively(baseDir);
    }
  }

  /** Stops an instance as {@link #close()} describes and returns the processes still alive. */
  private static List<ProcessHandle> stop(Process master, String instanceName) {
    List<ProcessHandle> family = instanceProcesses(master, instanceName);
    master.destroy();
    waitFor(List.of(master.toHandle()), STOP_TIMEOUT);
    family.addAll(instanceProcesses(master, instanceName));
    waitFor(family, Duration.ofSeconds(1));
    family.addAll(instanceProcesses(master, instanceName));
    family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    waitFor(family, STOP_TIMEOUT);
    return family.stream().filter(ProcessHandle::isAlive).distinct().toList();
  }

  /**
   * Returns the live processes of an instance: the master, its descendants, and orphans, which are
   * found by the process title "dovecot-INSTANCE/…" that Dovecot gives every child (the instance
   * name is unique).
   */
  private static List<ProcessHandle> instanceProcesses(Process master, String instanceName) {
    List<ProcessHandle> found = new ArrayList<>();
    if (master.isAlive()) {
      found.add(master.toHandle());
      master.descendants().forEach(found::add);
    }
    String title = "dovecot-" + instanceName + "/";
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").startsWith(title))
        .forEach(found::add);
    return found;
  }

  private static void waitFor(List<ProcessHandle> processes, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle process : processes) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        process.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private Path userMaildir(String user) throws IOException {
    Path maildir = mailDir.resolve(user);
    for (Path dir :
        List.of(maildir, maildir.resolve("tmp"), maildir.resolve("new"), maildir.resolve("cur"))) {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        chownToMailOwner(dir);
      }
    }
    return maildir;
  }

  private long passwdMtimeSeconds;

  private void writePasswdFile() throws IOException {
    StringBuilder text = new StringBuilder();
    users.forEach(
        (user, password) -> text.append(user).append(":{PLAIN}").append(password).append('\n'));
    Path tmp = passwdFile.resolveSibling("passwd.tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    // Dovecot's auth process runs as the unprivileged "dovecot" user and must read the file.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    // Dovecot notices a changed passwd-file by its mtime in whole seconds (and inode, which the
    // kernel may
    // reuse at once): give every version a later second than the one before, or a user added within
    // the
    // same second stays unknown.
    long seconds = Math.max(System.currentTimeMillis() / 1000, passwdMtimeSeconds + 1);
    passwdMtimeSeconds = seconds;
    Files.setLastModifiedTime(
        tmp, java.nio.file.attribute.FileTime.from(seconds, java.util.concurrent.TimeUnit.SECONDS));
    Files.move(
        tmp, passwdFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String fillTemplate(Map<String, String> values) throws IOException {
    String template;
    try (InputStream in = resource("dovecot/dovecot.conf.template")) {
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (Map.Entry<String, String> entry : values.entrySet()) {
      template = template.replace("@" + entry.getKey() + "@", entry.getValue());
    }
    if (template.matches("(?s).*@[A-Z_]+@.*")) {
      throw new IllegalStateException("unfilled placeholder in dovecot.conf.template");
    }
    return template;
  }

  private static Path copyResource(String name, Path target) throws IOException {
    try (InputStream in = resource(name)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  private static InputStream resource(String name) {
    InputStream in = DovecotServer.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("test resource missing: " + name);
    }
    return in;
  }

  private static String sha256Fingerprint(Path pem) throws IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      X509Certificate cert =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (CertificateException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot fingerprint " + pem, e);
    }
  }

  private static int[] freePorts(int count) throws IOException {
    // All sockets stay open until every port is chosen, so the ports are distinct. Another process
    // may
    // still take one before Dovecot binds it; start() then fails loudly with Dovecot's log.
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Adds o+x to {@code dir}; fails naming the first ancestor that {@code nobody} cannot traverse.
   */
  private static void makeTraversable(Path dir) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    perms.add(PosixFilePermission.OTHERS_EXECUTE);
    perms.add(PosixFilePermission.OTHERS_READ);
    perms.add(PosixFilePermission.GROUP_EXECUTE);
    perms.add(PosixFilePermission.GROUP_READ);
    Files.setPosixFilePermissions(dir, perms);
    for (Path p = dir.getParent(); p != null; p = p.getParent()) {
      if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IllegalStateException(
            "Dovecot runs mail processes as nobody, who cannot traverse "
                + p
                + "; use another workDir");
      }
    }
  }

  private static void chownToMailOwner(Path path) throws IOException {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    UserPrincipal owner = lookup.lookupPrincipalByName(MAIL_OWNER);
    GroupPrincipal group = lookup.lookupPrincipalByGroupName(MAIL_GROUP);
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    view.setOwner(owner);
    view.setGroup(group);
  }

  private static String baseName(String maildirName) {
    int colon = maildirName.indexOf(':');
    return colon < 0 ? maildirName : maildirName.substring(0, colon);
  }

  private static void checkUser(String user) {
    if (!USER_NAME.matcher(user).matches()) {
      throw new IllegalArgumentException("unusable user name: " + user);
    }
  }

  private static boolean runningAsRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  private static String tail(Path file, int lines) {
    if (!Files.isReadable(file)) {
      return "(missing)\n";
    }
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
      StringBuilder text = new StringBuilder();
      for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
        text.append(line).append('\n');
      }
      return text.toString();
    } catch (IOException e) {
      return "(unreadable: " + e + ")\n";
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for dovecot", e);
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "DovecotServer[%s pop3=%d pop3s=%d imap=%d]",
        instanceName,
        pop3Port,
        pop3sPort,
        imapPort);
  }
}
