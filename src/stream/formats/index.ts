/**
 * The container formats by name. Adding a format is adding one entry here.
 */
import { lmiFormat } from './lmi.js';
import { openaiFormat } from './openai.js';
import { tgiFormat } from './tgi.js';
import type { StreamFormat } from './types.js';

export const STREAM_FORMATS = {
  openai: openaiFormat,
  tgi: tgiFormat,
  lmi: lmiFormat,
} satisfies Record<string, StreamFormat>;

/** Name of a registered container format. */
export type StreamFormatName = keyof typeof STREAM_FORMATS;

export type { StreamFormat, TokenEvent, Usage } from './types.js';
