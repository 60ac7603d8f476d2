package dev.popvault.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether a person is there to answer: standard input and output are a terminal. */
final class Terminal {
  private Terminal() {}

  /** The console when standard input and output are a terminal, else null. */
  static Console interactive() {
    Console console = System.console();
    if (console == null) {
      return null;
    }
    // From Java 22 on, System.console() may return a console for redirected streams; there,
    // Console.isTerminal() tells. On Java 17 a console exists only for a terminal.
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return Boolean.TRUE.equals(isTerminal.invoke(console)) ? console : null;
    } catch (NoSuchMethodException e) {
      return console;
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}
