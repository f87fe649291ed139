/**
 * Every model of the product by its stable name, the one list `--model`,
 * `eval`, `accuracy`, `pipeline` and the bench read.
 *
 * Rating models: `bias` (the baseline), `knn-item`, `knn-user`, `bmf`,
 * `blend` (bmf + knn-item). Ranking models: see {@link RANKING_MODELS}.
 * The classic neighbour-file models keep their names `user-cosine` and
 * `item-cosine` (`user`/`item` too) in `eval` and `predict`, which read
 * the neighbor files the engines write (lib/models/classic_data.ts).
 *
 * Each name maps to a spec (how to fit; every option with its default) and
 * a preset configuration over those defaults: `ease-weighted` is EASE with
 * λ 300 and w 0.5. A configuration is written `name` or
 * `name:key=value,key=value` (e.g. `ease:lambda=300,lowRatingWeight=0.5`);
 * {@link resolveModel} checks it and gives every option its value.
 *
 * The shipped defaults ({@link DEFAULT_RATING_MODEL},
 * {@link DEFAULT_RANKING_MODEL}) won on real data: ML-100k, mean of the
 * official folds u1–u5 (README, Accuracy).
 */
import type { ModelKind, ModelOptions, ModelSpec, RankingModel, RatingModel } from "./model.ts";
import { CLASSIC_MODEL_NAMES } from "./classic_data.ts";
import { biasSpec } from "./bias.ts";
import { knnItemSpec, knnUserSpec } from "./knn_baseline.ts";
import { bayesMfSpec } from "./bayes_mf.ts";
import { blendSpec } from "./blend.ts";
import { popularitySpec } from "./popularity.ts";
import { itemKnnImplicitSpec } from "./item_knn_implicit.ts";
import { rp3betaSpec } from "./rp3beta.ts";
import { EASE_WEIGHTED_DEFAULTS, easeSpec } from "./ease.ts";

/** A model under its registered name: how to fit it, and the configuration the name stands for. */
export interface RegisteredModel<M> {
  spec: ModelSpec<M>;
  /** Options this name sets over {@link ModelSpec.defaults} (empty: the spec's defaults). */
  preset: ModelOptions;
  /** One line for `--help` and the reports. */
  summary: string;
}

function entry<M>(spec: ModelSpec<M>, preset: ModelOptions = {}, summary = spec.summary) {
  return { spec, preset, summary };
}

/** Rating models by name, in the order reports list them. */
export const RATING_MODELS: Readonly<Record<string, RegisteredModel<RatingModel>>> = {
  bias: entry(biasSpec),
  "knn-item": entry(knnItemSpec),
  "knn-user": entry(knnUserSpec),
  bmf: entry(bayesMfSpec),
  blend: entry(blendSpec),
};

/** Ranking models by name, in the order reports list them. */
export const RANKING_MODELS: Readonly<Record<string, RegisteredModel<RankingModel>>> = {
  popularity: entry(popularitySpec),
  "item-knn-implicit": entry(itemKnnImplicitSpec),
  rp3beta: entry(rp3betaSpec),
  ease: entry(easeSpec),
  "ease-weighted": entry(
    easeSpec,
    EASE_WEIGHTED_DEFAULTS,
    "EASE with ratings below ★4 weighted 0.5 (λ 300), over the movies with ≥ 10 ratings (≤ 8,000)",
  ),
};
/** The rating model `pipeline` and `demo` ship (ML-100k: RMSE 0.897 against bias 0.946, bmf 0.901). */
export const DEFAULT_RATING_MODEL = "blend";
/**
 * The ranking model `pipeline` and `demo` ship: EASE with ratings below ★4
 * weighted 0.5 (ML-100k: NDCG@10 0.414, against binary EASE 0.385 and
 * popularity 0.198).
 */
export const DEFAULT_RANKING_MODEL = "ease-weighted";
/** The rating yardstick every rating model is compared with. */
export const RATING_BASELINE = "bias";
/** The ranking yardstick every ranking model is compared with. */
export const RANKING_BASELINE = "popularity";

/**
 * An unknown model name; the message lists the known ones.
 *
 * @example
 * ```ts
 * import { fitRankingModel, UnknownModelError } from "./mod.ts";
 * try {
 *   await fitRankingModel(train, "eaze");
 * } catch (err) {
 *   if (err instanceof UnknownModelError) console.error(err.message);
 * }
 * ```
 */
export class UnknownModelError extends Error {
  /** The name asked for. */
  readonly model: string;
  /** An error naming `model`. */
  constructor(model: string) {
    super(
      `unknown model "${model}"; rating models: ${Object.keys(RATING_MODELS).join(", ")}; ` +
        `ranking models: ${Object.keys(RANKING_MODELS).join(", ")}; ` +
        `classic neighbour-file models (eval/predict --neighbors): ${
          Object.keys(CLASSIC_MODEL_NAMES).join(", ")
        }`,
    );
    this.name = "UnknownModelError";
    this.model = model;
  }
}

/**
 * A model option that is not one of the model's, or a value that is not a
 * number; the message lists the valid keys.
 *
 * @example
 * ```ts
 * import { fitRankingModel, ModelOptionError } from "./mod.ts";
 * try {
 *   await fitRankingModel(train, "ease:lamda=300");
 * } catch (err) {
 *   if (err instanceof ModelOptionError) console.error(err.validKeys); // lambda, …
 * }
 * ```
 */
export class ModelOptionError extends Error {
  /** The model's registered name. */
  readonly model: string;
  /** The option written. */
  readonly key: string;
  /** The model's option names. */
  readonly validKeys: readonly string[];
  /** An error about `key` of `model`; `problem` says what is wrong with it. */
  constructor(model: string, key: string, validKeys: readonly string[], problem: string) {
    super(
      `model "${model}": ${problem}; valid keys: ${
        validKeys.length ? validKeys.join(", ") : "none (it has no options)"
      }`,
    );
    this.name = "ModelOptionError";
    this.model = model;
    this.key = key;
    this.validKeys = validKeys;
  }
}

/** A model configuration, resolved: what to fit and with which value of every option. */
export interface ModelConfig<M = RatingModel | RankingModel> {
  /** The registered name (`ease-weighted`). */
  name: string;
  /** The configuration as written, the model's name in reports (`ease:lambda=300`). */
  label: string;
  kind: ModelKind;
  spec: ModelSpec<M>;
  /** The registered name's one-line summary. */
  summary: string;
  /** Every option of the spec: its default, then the name's preset, then what was written. */
  options: ModelOptions;
}

/** The kind of the registered model `name`, or null when there is none. */
export function modelKind(name: string): ModelKind | null {
  return Object.hasOwn(RATING_MODELS, name)
    ? "rating"
    : Object.hasOwn(RANKING_MODELS, name)
    ? "ranking"
    : null;
}

/**
 * Resolves a configuration `name` or `name:key=value,…` (see the module doc).
 * Throws {@link UnknownModelError} for a name not registered (or not of
 * `kind`), {@link ModelOptionError} for a key the model does not have or a
 * value that is not a finite number.
 */
export function resolveModel(text: string, kind: "rating"): ModelConfig<RatingModel>;
export function resolveModel(text: string, kind: "ranking"): ModelConfig<RankingModel>;
export function resolveModel(text: string, kind?: ModelKind): ModelConfig;
export function resolveModel(text: string, kind?: ModelKind): ModelConfig {
  const colon = text.indexOf(":");
  const name = colon < 0 ? text : text.slice(0, colon);
  const found = modelKind(name);
  if (found === null || (kind && found !== kind)) throw new UnknownModelError(name);
  const registered: RegisteredModel<RatingModel | RankingModel> = found === "rating"
    ? RATING_MODELS[name]
    : RANKING_MODELS[name];
  const { spec, preset, summary } = registered;
  const validKeys = Object.keys(spec.defaults);
  const options: Record<string, number> = { ...spec.defaults, ...preset };
  if (colon >= 0) {
    for (const pair of text.slice(colon + 1).split(",")) {
      const eq = pair.indexOf("=");
      const key = eq < 0 ? pair : pair.slice(0, eq);
      if (!validKeys.includes(key)) {
        throw new ModelOptionError(name, key, validKeys, `unknown option "${key}"`);
      }
      const value = eq < 0 ? NaN : Number(pair.slice(eq + 1));
      if (pair.slice(eq + 1).trim() === "" || !Number.isFinite(value)) {
        throw new ModelOptionError(name, key, validKeys, `${pair} is not key=<number>`);
      }
      options[key] = value;
    }
  }
  return { name, label: text, kind: found, spec, summary, options };
}

/**
 * Splits a comma-separated list of configurations (`bias,ease:lambda=300,maxItems=2000`):
 * a piece with `=` but no `:` is one more option of the configuration before it.
 */
export function splitModelList(text: string): string[] {
  const out: string[] = [];
  for (const piece of text.split(",")) {
    if (out.length > 0 && piece.includes("=") && !piece.includes(":")) {
      out[out.length - 1] += "," + piece;
    } else out.push(piece);
  }
  return out;
}

/**
 * A registered model as `mod.ts` lists it.
 *
 * @example
 * ```ts
 * import { type ModelInfo, MODELS } from "./mod.ts";
 * const ease: ModelInfo | undefined = MODELS.find((m) => m.name === "ease");
 * console.log(ease?.options.lambda); // 500
 * ```
 */
export interface ModelInfo {
  /** The registered name, what `--model` and the fit functions take. */
  name: string;
  /** A rating model predicts stars; a ranking model lists movies. */
  kind: "rating" | "ranking";
  /** One line on what it is. */
  summary: string;
  /** Every option with the value this name fits with (the spec's default or the preset's). */
  options: ModelOptions;
}

/**
 * Every registered model, rating models first, with its options' values: the
 * valid keys of `name:key=value,…`.
 *
 * @example
 * ```ts
 * import { MODELS } from "./mod.ts";
 * for (const m of MODELS) console.log(m.name, m.kind, JSON.stringify(m.options));
 * ```
 */
export const MODELS: readonly ModelInfo[] = [
  ...Object.keys(RATING_MODELS),
  ...Object.keys(RANKING_MODELS),
].map((name) => {
  const { kind, summary, options } = resolveModel(name);
  return { name, kind, summary, options };
});

/**
 * The spec of the registered rating model `name` with the name's
 * configuration bound: `fit(m)` fits what `name` stands for (`blend`).
 */
export function ratingModelSpec(name: string): ModelSpec<RatingModel> {
  return bound(resolveModel(name, "rating"));
}

/**
 * The spec of the registered ranking model `name` with the name's
 * configuration bound: `fit(m)` of `ease-weighted` is EASE with λ 300, w 0.5.
 */
export function rankingModelSpec(name: string): ModelSpec<RankingModel> {
  return bound(resolveModel(name, "ranking"));
}

function bound<M>(config: ModelConfig<M>): ModelSpec<M> {
  const { spec, options } = config;
  return {
    ...spec,
    defaults: options,
    fit: (m, o = options, c) => spec.fit(m, o, c),
    ...(spec.refit ? { refit: (m, learned, o = options, c) => spec.refit!(m, learned, o, c) } : {}),
  };
}
