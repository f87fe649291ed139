/**
 * Command-line flags: one declarative table per command, parsed once at the
 * edge (`main.ts`), with `--help` text printed from the same table so the
 * documented defaults can never drift from the real ones.
 *
 * A flag table maps camelCase option names to specs; the flag on the command
 * line is the kebab-case form (`minCommon` is `--min-common`). Parsing
 * returns a typed object whose fields are the option names.
 *
 * @example
 * ```ts
 * const flags = {
 *   k: { type: "integer", default: 50, min: 1, doc: "neighbors kept per id" },
 *   out: { type: "string", required: true, doc: "output file" },
 * } as const satisfies FlagTable;
 * const v = parseFlags("neighbors", flags, ["--out", "x.txt"]); // { k: 50, out: "x.txt" }
 * ```
 */

/** A bad command line: unknown command or flag, missing required flag, bad value. */
export class UsageError extends Error {
  /** The flag (`--k`) or command the message is about, when there is one. */
  readonly flag?: string;
  constructor(message: string, flag?: string) {
    super(message);
    this.name = "UsageError";
    this.flag = flag;
  }
}

interface FlagBase {
  /** One line for `--help`. */
  doc: string;
  /** Placeholder shown in help, e.g. `<file>`. */
  arg?: string;
  /**
   * Old spellings (kebab-case, without `--`) that still work this release:
   * each use prints a one-line notice naming the new one (docs/ARCHITECTURE.md, "Flags").
   */
  was?: readonly string[];
}

/** A string flag; `choices` restricts it to an enumeration. */
export interface StringFlag extends FlagBase {
  type: "string";
  default?: string;
  required?: boolean;
  choices?: readonly string[];
}

/** A number flag; `integer` rejects fractions, `min`/`max` are inclusive bounds. */
export interface NumberFlag extends FlagBase {
  type: "number" | "integer";
  default?: number;
  required?: boolean;
  min?: number;
  max?: number;
  /** Exclusive bounds, for ratios such as `--test-ratio` in (0, 1). */
  above?: number;
  below?: number;
}

/** A comma-separated list of positive integers, e.g. `--k 10,20,50`. */
export interface IntListFlag extends FlagBase {
  type: "int-list";
  default?: readonly number[];
  required?: boolean;
  min?: number;
}

/** A switch; present means true. */
export interface BooleanFlag extends FlagBase {
  type: "boolean";
}

export type FlagSpec = StringFlag | NumberFlag | IntListFlag | BooleanFlag;
export type FlagTable = Record<string, FlagSpec>;

type ValueOf<S extends FlagSpec> = S extends BooleanFlag ? boolean
  : S extends StringFlag ? (S extends { choices: readonly (infer C)[] } ? C : string)
  : S extends NumberFlag ? number
  : S extends IntListFlag ? number[]
  : never;

type Present<S> = S extends { required: true } ? true
  : S extends { default: unknown } ? true
  : S extends BooleanFlag ? true
  : false;

/** The parsed values of a flag table: required or defaulted flags are always present. */
export type FlagValues<T extends FlagTable> =
  & { [K in keyof T as Present<T[K]> extends true ? K : never]: ValueOf<T[K]> }
  & { [K in keyof T as Present<T[K]> extends true ? never : K]?: ValueOf<T[K]> };

/**
 * A required string flag, e.g. `out: requiredFlag("<dir>", "output directory")`
 * for `--out <dir>`.
 */
export function requiredFlag(arg: string, doc: string): StringFlag & { required: true } {
  return { type: "string", required: true, arg, doc };
}

/** A CLI command: a flag table and what to run with the parsed values. */
export interface Command<T extends FlagTable = FlagTable> {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Extra help paragraphs printed after the flag list. */
  details?: string;
  flags: T;
  /** Commands reached as `<name> <sub>` (e.g. `mr emr-plan`). */
  subcommands?: readonly Command<FlagTable>[];
  run(flags: FlagValues<T>): Promise<void> | void;
}

/** Declares a command with its flag types inferred from the table. */
export function defineCommand<T extends FlagTable>(command: Command<T>): Command<FlagTable> {
  return command as unknown as Command<FlagTable>;
}

/** `minCommon` → `min-common`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/**
 * Parses `argv` against a flag table. Throws {@link UsageError} naming the
 * offending flag. An old spelling (a spec's `was`) is read as the new one,
 * and `notice` gets one line naming the new spelling.
 */
export function parseFlags<T extends FlagTable>(
  command: string,
  table: T,
  argv: readonly string[],
  notice: (line: string) => void = (line) => console.error(line),
): FlagValues<T> {
  const byFlag = new Map<string, string>();
  const renamed = new Map<string, string>();
  for (const key of Object.keys(table)) byFlag.set(flagName(key), key);
  for (const [key, spec] of Object.entries(table)) {
    for (const old of spec.was ?? []) {
      if (!byFlag.has(old)) renamed.set(old, key);
    }
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith("--") || token === "--") {
      throw new UsageError(`${command}: unexpected argument '${token}'`);
    }
    const eq = token.indexOf("=");
    let name = token.slice(2, eq < 0 ? undefined : eq);
    const old = renamed.get(name);
    if (old !== undefined) {
      notice(
        `${command}: --${name} is now --${flagName(old)} ` +
          "(the old spelling still works in this release)",
      );
      name = flagName(old);
    }
    const key = byFlag.get(name);
    if (key === undefined) {
      throw new UsageError(
        `${command}: unknown flag --${name} (see ${command} --help)`,
        `--${name}`,
      );
    }
    const spec = table[key];
    if (spec.type === "boolean") {
      if (eq >= 0) {
        const v = token.slice(eq + 1);
        if (v !== "true" && v !== "false") {
          throw new UsageError(`${command}: --${name} takes no value`, `--${name}`);
        }
        out[key] = v === "true";
      } else out[key] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = token.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) {
        throw new UsageError(`${command}: --${name} needs a value`, `--${name}`);
      }
      raw = argv[++i];
    }
    out[key] = parseValue(command, name, spec, raw);
  }
  for (const [key, spec] of Object.entries(table)) {
    if (key in out) continue;
    if (spec.type === "boolean") out[key] = false;
    else if (spec.default !== undefined) {
      out[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    } else if (spec.required) {
      throw new UsageError(
        `${command}: missing required flag --${flagName(key)}`,
        `--${flagName(key)}`,
      );
    }
  }
  return out as FlagValues<T>;
}

function parseValue(command: string, name: string, spec: FlagSpec, raw: string): unknown {
  const bad = (why: string) =>
    new UsageError(`${command}: bad value for --${name}: '${raw}' (${why})`, `--${name}`);
  switch (spec.type) {
    case "string":
      if (spec.choices && !spec.choices.includes(raw)) {
        throw bad(`expected one of ${spec.choices.join(", ")}`);
      }
      if (raw === "") throw bad("must not be empty");
      return raw;
    case "number":
    case "integer": {
      const v = raw.trim() === "" ? NaN : Number(raw);
      if (!Number.isFinite(v)) throw bad("expected a number");
      if (spec.type === "integer" && !Number.isInteger(v)) throw bad("expected an integer");
      checkBounds(v, spec, bad);
      return v;
    }
    case "int-list": {
      const parts = raw.split(",");
      return parts.map((p) => {
        const v = p.trim() === "" ? NaN : Number(p);
        if (!Number.isInteger(v)) throw bad("expected comma-separated integers");
        if (spec.min !== undefined && v < spec.min) throw bad(`each must be >= ${spec.min}`);
        return v;
      });
    }
    default:
      throw bad("unexpected value");
  }
}

function checkBounds(v: number, spec: NumberFlag, bad: (why: string) => Error): void {
  if (spec.min !== undefined && v < spec.min) throw bad(`must be >= ${spec.min}`);
  if (spec.max !== undefined && v > spec.max) throw bad(`must be <= ${spec.max}`);
  if (spec.above !== undefined && v <= spec.above) throw bad(`must be > ${spec.above}`);
  if (spec.below !== undefined && v >= spec.below) throw bad(`must be < ${spec.below}`);
}

/** The `--help` text of a command, defaults taken from its flag table. */
export function commandHelp(prog: string, command: Command<FlagTable>): string {
  const lines = [`${prog} ${command.name}: ${command.summary}`, ""];
  if (command.subcommands?.length) {
    lines.push("Subcommands:");
    for (const s of command.subcommands) lines.push(`  ${s.name.padEnd(16)} ${s.summary}`);
    lines.push("");
  }
  const entries = Object.entries(command.flags);
  if (entries.length) {
    lines.push("Flags:");
    const rows = entries.map(([key, spec]) => {
      const arg = spec.type === "boolean" ? "" : ` ${spec.arg ?? argPlaceholder(spec)}`;
      return [`  --${flagName(key)}${arg}`, describe(spec)];
    });
    rows.push(["  --help", "print this help"]);
    const width = Math.max(...rows.map((r) => r[0].length)) + 2;
    for (const [a, b] of rows) lines.push(a.padEnd(width) + b);
  }
  if (command.details) lines.push("", command.details.trim());
  return lines.join("\n");
}

function argPlaceholder(spec: FlagSpec): string {
  if (spec.type === "string") return spec.choices ? spec.choices.join("|") : "<value>";
  if (spec.type === "int-list") return "<n,n,...>";
  return "<n>";
}

function describe(spec: FlagSpec): string {
  let text = spec.doc;
  if (spec.type !== "boolean") {
    if ("required" in spec && spec.required) text += " (required)";
    else if (spec.default !== undefined) {
      const d = Array.isArray(spec.default) ? spec.default.join(",") : String(spec.default);
      text += ` (default: ${d})`;
    }
  }
  return text;
}
