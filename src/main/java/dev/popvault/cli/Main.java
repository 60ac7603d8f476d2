package dev.popvault.cli;

/** Placeholder entry point. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {}
}
