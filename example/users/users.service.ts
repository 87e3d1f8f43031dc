import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SessionPrincipal, SessionUserDirectory } from '../../src/index.js';
import { hashPassword, verifyPassword } from './password.js';
import { User } from './user.entity.js';

/** The example's user store; also the module's user directory. */
@Injectable()
export class UsersService implements SessionUserDirectory {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(User);
  }

  async findById(userId: string): Promise<SessionPrincipal | null> {
    const id = Number(userId);
    if (!Number.isSafeInteger(id)) return null;
    const user = await this.repo.findOneBy({ id });
    return user ? toPrincipal(user) : null;
  }

  findUser(id: number): Promise<User | null> {
    return Number.isSafeInteger(id) ? this.repo.findOneBy({ id }) : Promise.resolve(null);
  }

  /** The user when the password matches and the account is enabled, else `null`. */
  async verify(username: string, password: string): Promise<User | null> {
    const user = await this.repo.findOneBy({ username });
    const ok = await verifyPassword(password, user?.passwordHash ?? null);
    return ok && user && !user.disabled ? user : null;
  }

  async checkPassword(userId: string, password: string): Promise<boolean> {
    const user = await this.findUser(Number(userId));
    return verifyPassword(password, user?.passwordHash ?? null).then(
      (ok) => ok && !!user && !user.disabled,
    );
  }

  async setPassword(id: number, password: string): Promise<void> {
    await this.repo.update({ id }, { passwordHash: await hashPassword(password) });
  }
}

export function toPrincipal(user: User): SessionPrincipal {
  return { id: String(user.id), roles: user.roles, disabled: user.disabled };
}
