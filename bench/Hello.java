/** Prints one line and exits: the start-up baseline (`java -jar`) for the no-op run (d) of bench/run.sh. */
public final class Hello {
  private Hello() {}

  /** Prints "hello". */
  public static void main(String[] args) {
    System.out.println("hello");
  }
}
