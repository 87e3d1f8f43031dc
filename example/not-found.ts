import { SessionSecurityException } from '../src/index.js';

/** 404 `not_found` in the module's error shape. */
export class NotFound extends SessionSecurityException {
  constructor(message = 'Not found') {
    super(404, 'not_found', message);
  }
}
