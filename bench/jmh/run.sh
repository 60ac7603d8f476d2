#!/usr/bin/env bash
# Builds the JMH benchmarks and runs them with the short settings set on each class (one fork,
# 3 x 1 s warm-up, 5 x 2 s measured; the frame benchmarks warm up 6 x 2 s): under 6 minutes on 2 cores.
# Writes the JMH output to bench/results/jmh-<date>.txt. Extra arguments go to JMH, e.g. a
# benchmark regex: bench/jmh/run.sh WireReader
# Not part of the test suite: nothing here runs in the top-level `mvn verify`.
set -euo pipefail
cd "$(dirname "$0")/../.."

mvn -B -q -f bench/jmh/pom.xml package
mkdir -p bench/results
out="bench/results/jmh-$(date +%F).txt"
{
  echo "# popvault JMH run $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "# $(java -version 2>&1 | head -1); $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "# settings: the @Fork/@Warmup/@Measurement annotations of each benchmark class${*:+; arguments: $*}"
} >"$out"
java -jar bench/jmh/target/benchmarks.jar "$@" 2>&1 | tee -a "$out"
echo "results: $out"
