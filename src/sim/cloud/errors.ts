/**
 * A control-plane API error: the AWS error type (shape name) and HTTP status the wire layer
 * sends, with AWS's wording in `message`. The services throw these; api/ turns them into AWS JSON
 * error bodies the SDK clients deserialize into their exception classes.
 */
import { ScalelabError } from '../../lib/errors.js';

export class CloudApiError extends ScalelabError {
  constructor(
    /** The shape name, e.g. `ValidationException`, `ObjectNotFoundException`, `ResourceNotFound`. */
    readonly awsType: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(`cloud-api-${awsType}`, message);
  }
}

/** Application Auto Scaling's and CloudWatch's generic "bad input" error types. */
export const validation = (message: string): CloudApiError => new CloudApiError('ValidationException', message);
