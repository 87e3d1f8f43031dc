import { Controller } from '@nestjs/common';
import { Can, RefuseImpersonation, SessionRevocationsController } from '../../src/index.js';

/**
 * Bulk session revocation for admins from the internal network (the built-in policy grants
 * `manage` on `all` to admins only there): create and cancel (both with fresh authentication,
 * as the module's controller requires), status and list.
 */
@Can('manage', 'Session')
@RefuseImpersonation()
@Controller('admin/session-revocations')
export class AdminSessionRevocationsController extends SessionRevocationsController {}
