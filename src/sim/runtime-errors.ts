/**
 * SageMaker Runtime errors as AWS sends them (restJson1), pure: the status, the `x-amzn-ErrorType`
 * header the SDK reads the error's name from, a JSON body `{"message", …}`, and the wordings.
 *
 * Wordings: "Endpoint … of account … not found." and both inference-component header messages are
 * quoted from public GitHub issues that show AWS's answers; the no-capacity message from an AWS
 * blog post on scale-to-zero; ModelError's message follows the "Received … error (…) from primary
 * with message …" answers seen in issues; the rest are the SageMaker Runtime API reference's error
 * descriptions, or marked [inferred].
 */
import type { PreResponseFaultKind } from './config.js';
import type { PreResponseFault } from './faults.js';

/** Status per error type; ThrottlingException is not in the SDK's model (it arrives as a generic service exception). */
export const RUNTIME_ERROR_STATUS = {
  ValidationError: 400,
  ModelError: 424,
  ModelNotReadyException: 429,
  ThrottlingException: 429,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  InternalDependencyException: 530,
} as const;
export type RuntimeErrorType = keyof typeof RUNTIME_ERROR_STATUS;

export interface RuntimeError {
  type: RuntimeErrorType;
  message: string;
  /** More body members (ModelError: OriginalStatusCode, OriginalMessage, LogStreamArn). */
  members?: Record<string, string | number>;
}

export interface EncodedError {
  status: number;
  headers: Record<string, string>;
  body: Record<string, string | number>;
}

/** The response for `error`: status, headers (with the request id), JSON body. */
export function encodeRuntimeError(error: RuntimeError, requestId: string): EncodedError {
  return {
    status: RUNTIME_ERROR_STATUS[error.type],
    headers: {
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': `${error.type}:http://internal.amazon.com/coral/com.amazonaws.sagemaker.runtime/`,
    },
    body: { message: error.message, ...error.members },
  };
}

/** Where the account, region and endpoint show up in messages and ARNs. */
export interface AccountScope {
  accountId: string;
  region: string;
}

const validation = (message: string): RuntimeError => ({ type: 'ValidationError', message });

export const endpointNotFound = (endpoint: string, scope: AccountScope): RuntimeError =>
  validation(`Endpoint ${endpoint} of account ${scope.accountId} not found.`);

export const componentHeaderRequired = (): RuntimeError =>
  validation(
    'Inference Component Name header is required for endpoints to which you plan to deploy inference components. ' +
      'Please include Inference Component Name header or consider using SageMaker models.',
  );

export const componentHeaderNotAllowed = (): RuntimeError =>
  validation(
    'Inference Component Name header is not allowed for endpoints to which you dont plan to deploy inference components. ' +
      'Please remove the Inference Component Name header and try again.',
  );

/** [inferred] worded like the endpoint's. */
export const componentNotFound = (component: string, endpoint: string, scope: AccountScope): RuntimeError =>
  validation(`Inference Component ${component} of endpoint ${endpoint} of account ${scope.accountId} not found.`);

/** [inferred] */
export const variantNotFound = (variant: string, endpoint: string): RuntimeError =>
  validation(`Variant ${variant} not found for endpoint ${endpoint}.`);

/**
 * ModelError: the container answered `originalStatusCode`. Also how the simulator answers a request
 * body its container rejects (400) and a full container queue (429), as a real container would.
 */
export function modelError(originalStatusCode: number, originalMessage: string, endpoint: string, scope: AccountScope): RuntimeError {
  const { accountId, region } = scope;
  const logGroup = `/aws/sagemaker/Endpoints/${endpoint}`;
  const side = originalStatusCode < 500 ? 'client' : 'server';
  return {
    type: 'ModelError',
    message:
      `Received ${side} error (${originalStatusCode}) from primary with message "${originalMessage}". ` +
      `See https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logEventViewer:group=${logGroup} ` +
      `in account ${accountId} for more information.`,
    members: {
      OriginalStatusCode: originalStatusCode,
      OriginalMessage: originalMessage,
      LogStreamArn: `arn:aws:logs:${region}:${accountId}:log-group:${logGroup}`,
    },
  };
}

const DEFAULTS: Record<Exclude<PreResponseFaultKind, 'modelError'>, RuntimeError> = {
  validation: validation('Received an invalid request.'), // [inferred]
  noCapacity: validation(
    'Inference Component has no capacity to process this request. ApplicationAutoScaling may be in-progress (if configured) ' +
      'or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API.',
  ),
  modelNotReady: {
    type: 'ModelNotReadyException',
    message:
      "Either a serverless endpoint variant's resources are still being provisioned, or a multi-model endpoint is still " +
      'downloading or loading the target model. Wait and try your request again.',
  },
  throttling: { type: 'ThrottlingException', message: 'Rate exceeded' }, // [inferred]
  internalFailure: {
    type: 'InternalFailure',
    message: 'An internal failure occurred. Try your request again. If the problem persists, contact Amazon Web Services customer support.',
  },
  serviceUnavailable: { type: 'ServiceUnavailable', message: 'The service is currently unavailable.' },
  internalDependency: {
    type: 'InternalDependencyException',
    message: 'Your request caused an exception with an internal dependency. Contact customer support.',
  },
};

/** The error a pre-response fault answers with. */
export function faultError(fault: PreResponseFault, endpoint: string, scope: AccountScope): RuntimeError {
  if (fault.kind === 'modelError') {
    const error = modelError(fault.originalStatusCode, fault.originalMessage, endpoint, scope);
    return fault.message === undefined ? error : { ...error, message: fault.message };
  }
  const error = DEFAULTS[fault.kind];
  return fault.message === undefined ? error : { ...error, message: fault.message };
}

/** The body of an in-stream ModelStreamError; the default message is [inferred] from the API reference's ErrorCode description. */
export const STREAM_ERROR_MESSAGES = {
  ModelStreamError: 'The model failed to finish sending the response within the timeout period allowed by Amazon SageMaker AI.',
  InternalStreamFailure: 'The stream processing failed because of an unknown error, exception or failure. Try your request again.',
} as const;
