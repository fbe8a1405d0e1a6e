/**
 * DJL LMI (SageMaker's Large Model Inference containers), rolling-batch streaming.
 *
 * LMI streams JSON lines (`application/jsonlines`), one object per generated token:
 * `{"token":{"id":…,"text":…,"log_prob":…}}`; the last line adds `generated_text` and, when asked
 * with `parameters.details`, `details.generated_tokens`. That is TGI's event shape (its input
 * count field differs: LMI's `details.inputs` is the prompt text, so no input usage), so the
 * counting rules are TGI's: one token per `token` object, the final details override the total.
 * The framing (JSON lines here, SSE for TGI) is the decoder's business, not the format's.
 */
import { tgiFormat } from './tgi.js';
import type { StreamFormat } from './types.js';

export const lmiFormat: StreamFormat = tgiFormat;
