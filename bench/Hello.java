import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The start-up baseline of issue #4 (d): a trivial picocli program run with {@code java -jar}. One
 * option, prints one line. bench.py builds it into a jar together with picocli's classes.
 */
@Command(name = "hello", mixinStandardHelpOptions = true)
public final class Hello implements Callable<Integer> {
  @Option(names = "--name", description = "Whom to greet.")
  String name = "world";

  /** Prints the greeting. */
  @Override
  public Integer call() {
    System.out.println("hello " + name);
    return 0;
  }

  /** Runs the command and exits with its code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Hello()).execute(args));
  }
}
