/**
 * The EMR bootstrap action that installs the Deno which runs the bundle
 * artifact (`recsys-mr.js`, mr/build.ts) on every node: a bash script that
 * downloads one pinned Deno release, checks its checksum, and links it as
 * `/usr/bin/deno` (on the PATH of YARN containers).
 *
 * The release comes from the npm registry, which publishes Deno's Linux
 * binaries as `@deno/linux-x64-glibc` and `@deno/linux-arm64-glibc`
 * (the `deno` npm package installs through them). The pinned checksum is the
 * SHA-512 the registry publishes for the tarball (`dist.integrity`,
 * `npm view @deno/linux-x64-glibc@2.9.6 dist.integrity`), written as hex; we
 * checked it against the downloaded tarballs, and that the x64 tarball's
 * `package/deno` is byte-identical to the Deno this project is tested with.
 * `tests/mr_test.ts` compares the pins with the registry where it is
 * reachable. GitHub's release zips are not used: their checksums could not be
 * read from here.
 */

/** One platform's build of the pinned Deno. */
export interface DenoBuild {
  /** `uname -m` of the nodes it is for. */
  machine: "x86_64" | "aarch64";
  /** npm package holding `package/deno`. */
  npmPackage: string;
  url: string;
  /** SHA-512 of the tarball, hex. */
  sha512: string;
}

export interface DenoPin {
  version: string;
  builds: DenoBuild[];
}

/** Hex of a registry `dist.integrity` value (`sha512-<base64>`). */
export function integrityHex(integrity: string): string {
  const m = /^sha512-([A-Za-z0-9+/=]+)$/.exec(integrity.trim());
  if (!m) throw new Error(`not a sha512 integrity value: '${integrity}'`);
  return Array.from(atob(m[1]), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}

const npmBuild = (
  machine: DenoBuild["machine"],
  platform: string,
  version: string,
  integrity: string,
): DenoBuild => ({
  machine,
  npmPackage: `@deno/${platform}`,
  url: `https://registry.npmjs.org/@deno/${platform}/-/${platform}-${version}.tgz`,
  sha512: integrityHex(integrity),
});

/** Deno 2.9.6, the release this project is built and tested with. */
export const PINNED_DENO: DenoPin = {
  version: "2.9.6",
  builds: [
    npmBuild(
      "x86_64",
      "linux-x64-glibc",
      "2.9.6",
      "sha512-3md4TKLCuzsLDmfOoC5KN7NAZaxSVkMgm64vg6foD00JBADCpYS2/5QqXfzgnP5ZQz3iLP9vBQJtEgc116OAoQ==",
    ),
    npmBuild(
      "aarch64",
      "linux-arm64-glibc",
      "2.9.6",
      "sha512-poqhoH9B3nYloigEMPT5t8HY+wBeiuea1An5Q7fqgJzP0SYmWsoS/oUnWO/pEiA4ofzIBy1Elt/in58xKtxEoQ==",
    ),
  ],
};

/**
 * The bootstrap script for `pin`. Usage on a node:
 * `install-deno.sh [TARBALL]`, where TARBALL (`s3://…`, `https://…` or a
 * local path) is a copy of the same tarball, for clusters without access to
 * registry.npmjs.org; the pinned checksum applies to it all the same.
 * `RECSYS_DENO_HOME` and `RECSYS_DENO_LINK` move the install (tests do).
 */
export function installDenoScript(pin: DenoPin = PINNED_DENO): string {
  const cases = pin.builds.map((b) =>
    `  ${b.machine})\n    url='${b.url}'\n    sha512='${b.sha512}' ;;`
  ).join("\n");
  return `#!/bin/bash
# EMR bootstrap action written by \`deno task build:emr\` (recsys32m, mr/deno_install.ts):
# installs Deno ${pin.version} for the Hadoop Streaming tasks of recsys-mr.js, checking the
# tarball's SHA-512 (the npm registry's dist.integrity) before anything is installed.
#   install-deno.sh [TARBALL]   TARBALL: s3://, https:// or local copy of the same tarball
set -euo pipefail
version='${pin.version}'
case "$(uname -m)" in
${cases}
  *) echo "install-deno: no pinned Deno build for $(uname -m)" >&2; exit 1 ;;
esac
src="\${1:-$url}"
home="\${RECSYS_DENO_HOME:-/opt/deno-$version}"
link="\${RECSYS_DENO_LINK:-/usr/bin/deno}"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
case "$src" in
  s3://*) aws s3 cp --only-show-errors "$src" "$tmp/deno.tgz" ;;
  http://* | https://*) curl -fsSL --retry 5 -o "$tmp/deno.tgz" "$src" ;;
  *) cp "$src" "$tmp/deno.tgz" ;;
esac
if ! echo "$sha512  $tmp/deno.tgz" | sha512sum --check --status; then
  echo "install-deno: checksum mismatch for $src: expected SHA-512 $sha512," \\
    "got $(sha512sum "$tmp/deno.tgz" | cut -d' ' -f1)" >&2
  exit 1
fi
tar -xzf "$tmp/deno.tgz" -C "$tmp" package/deno
$sudo mkdir -p "$home"
$sudo install -m 0755 "$tmp/package/deno" "$home/deno"
$sudo ln -sfn "$home/deno" "$link"
got="$("$link" --version | head -n 1)"
case "$got" in
  "deno $version "*) echo "install-deno: $link is $got" ;;
  *) echo "install-deno: $link reports '$got', expected deno $version" >&2; exit 1 ;;
esac
`;
}
