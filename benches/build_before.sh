#!/usr/bin/env bash
# Builds the server and the perf seeder of an older commit, for `benches/perf.sh` to
# compare against (BEFORE_BIN, BEFORE_SEED_BIN).
#
#   benches/build_before.sh 954b84d [WORKTREE]
#
# The commit is checked out in a worktree (default /tmp/janji-before-COMMIT, kept for
# reruns) and given this tree's examples/perf_seed.rs, so it seeds the same data through
# its own use cases; where that commit's `Ctx` has no constructor the seeder's one
# constructing line is rewritten as a struct literal. It builds with this tree's target
# directory (the compiled dependencies are shared) and copies the two binaries to
# target/perf-COMMIT/, which it prints as the two variables to set.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
commit=${1:?usage: benches/build_before.sh COMMIT [WORKTREE]}
tree=${2:-/tmp/janji-before-$commit}
target=${CARGO_TARGET_DIR:-$here/target}

[ -d "$tree" ] || git worktree add --detach "$tree" "$commit" >&2
cp examples/perf_seed.rs "$tree/examples/perf_seed.rs"
if ! grep -q "pub fn new(org: String" "$tree/src/app/mod.rs"; then
  sed -i 's/    Ctx::new(org.to_owned(), Actor::System, now)/    Ctx { org: org.to_owned(), actor: Actor::System, now }/' \
    "$tree/examples/perf_seed.rs"
fi
(cd "$tree" && CARGO_TARGET_DIR="$target" nice -n 10 cargo build --release --quiet --bin janji --example perf_seed)
out="$target/perf-$commit"
mkdir -p "$out"
cp "$target/release/janji" "$target/release/examples/perf_seed" "$out/"
# The shared target now holds the older build: leave this tree's to be rebuilt.
touch "$here/src/lib.rs"
echo "BEFORE_BIN=$out/janji BEFORE_SEED_BIN=$out/perf_seed"
