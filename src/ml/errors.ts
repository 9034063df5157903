/** Named errors of the ML module. None is retryable: retrying the same data gives the same failure. */
import { namedError } from "../runtime/named-error.js";

/** The dataset breaks an invariant (shape, finiteness, positive prices, chronological order). */
export class InvalidDataset extends namedError("InvalidDataset", { retryable: false }) {}

/** Too few rows to split into a training and a held-out window. Retry once more bars exist. */
export class InsufficientData extends namedError("InsufficientData", { retryable: false }) {
  constructor(
    message: string,
    readonly rows: number,
    readonly required: number,
  ) {
    super(message);
  }
}

/** A training parameter is out of range; the message names the parameter. */
export class InvalidParams extends namedError("InvalidParams", { retryable: false }) {}

/** A serialised model cannot be loaded (unknown kind, unsupported format, corrupt body). */
export class ModelLoadError extends namedError("ModelLoadError", { retryable: false }) {}

/** A feature vector handed to `Model.predict` does not match the model (length, finiteness, price). */
export class InvalidFeatures extends namedError("InvalidFeatures", { retryable: false }) {}
