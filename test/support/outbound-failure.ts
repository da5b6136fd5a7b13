// Awaits a promise that must reject with an OutboundError, and returns that error.
import { OutboundError } from '../../src/integrations/outbound-error.js';

export async function outboundFailure(promise: Promise<unknown>): Promise<OutboundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundError) return error;
    throw error;
  }
  throw new Error('expected an OutboundError');
}
