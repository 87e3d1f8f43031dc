import { SessionSecurityException } from '../errors/session-security.exception.js';

/**
 * 404 `not_found`: the subject a `@Can()` check is about does not exist.
 *
 * @example throw new SubjectNotFoundException('Article not found');
 */
export class SubjectNotFoundException extends SessionSecurityException {
  constructor(message = 'Not found') {
    super(404, 'not_found', message);
  }
}
