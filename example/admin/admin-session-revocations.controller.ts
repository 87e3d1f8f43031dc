import { Controller } from '@nestjs/common';
import { Can, RequireFreshAuth, SessionRevocationsController } from '../../src/index.js';

/**
 * Bulk session revocation for admins, with fresh authentication, from the internal network (the
 * built-in policy grants `manage` on `all` to admins only there): create, status, list, cancel.
 */
@Can('manage', 'Session')
@RequireFreshAuth()
@Controller('admin/session-revocations')
export class AdminSessionRevocationsController extends SessionRevocationsController {}
