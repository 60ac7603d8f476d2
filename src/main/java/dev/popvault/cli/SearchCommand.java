package dev.popvault.cli;

import static dev.popvault.config.Setting.JSON;

import dev.popvault.config.ConfigException;
import dev.popvault.config.Setting;
import dev.popvault.core.CatalogQuery;
import dev.popvault.core.CatalogSearch;
import dev.popvault.core.ExitCode;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Finds archived messages by their headers (and optionally body text), from the catalog. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Find archived messages. The query's terms must all hold: a word or a \"quoted phrase\""
          + " matches From, To, Cc, Subject or Message-ID; from:, to:, cc:, subject: look in one"
          + " header; message-id:, uidl:, account: match exactly; after:YYYY-MM-DD and"
          + " before:YYYY-MM-DD bound the Date header (local time). Case and accents are ignored;"
          + " a word ending in * matches the words it begins. Quote a term holding spaces for the"
          + " shell: 'subject:\"monthly invoice\"'. No query lists everything. --body also reads the"
          + " messages the rest selects, frame by frame, and keeps those whose text contains it."
          + " Reads the ledger and the archive only; the first search after an upgrade reads the"
          + " To and Cc of older messages from the archive once."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault search from:alice subject:invoice after:2024-01-01",
      "  popvault search 'subject:\"quarterly report\"' --json | jq -r '.messages[].uidl'",
      "  popvault search to:bob@example.org --body 'wire transfer'",
      "",
      "With --json: {\"messages\": [{account, uidl, message_id, date, date_epoch_ms, from, to, cc,"
          + " subject, size, archived_at}]}.",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class SearchCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(arity = "0..*", paramLabel = "QUERY", description = "Search terms (see above).")
  List<String> query = new ArrayList<>();

  @Option(names = "--account", paramLabel = "NAME", description = "Search this account only.")
  String account;

  @Option(
      names = "--body",
      paramLabel = "TEXT",
      description = "Keep only messages whose bytes contain TEXT (ASCII letters in any case).")
  String body;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Show at most N messages, oldest first (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(SettingOptions.COMMON, EnumSet.of(JSON));
  }

  @Override
  public Integer call() throws ConfigException {
    if (limit < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--limit must be at least 1");
    }
    CatalogQuery parsed = CatalogQuery.parse(query, ZoneId.systemDefault());
    PrintWriter err = spec.commandLine().getErr();
    CatalogSearch.Result result =
        CatalogSearch.find(
            LedgerPlaces.archives(common, account),
            parsed,
            body,
            limit,
            text -> common.notice(err, text));
    PrintWriter out = spec.commandLine().getOut();
    if (Boolean.TRUE.equals(SettingOptions.given(spec, JSON))) {
      SearchOutput.json(result.hits(), out);
    } else if (!result.hits().isEmpty()) {
      SearchOutput.table(result.hits(), out);
    } else {
      common.notice(err, "no archived message matches");
    }
    out.flush();
    for (String d : result.damaged()) {
      common.notice(err, "not searched (damaged copy; popvault verify --repair): " + d);
    }
    if (!result.damaged().isEmpty()) {
      return ExitCode.DATA_ERROR;
    }
    return ExitCode.OK;
  }
}
