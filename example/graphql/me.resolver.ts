import { Query, Resolver } from '@nestjs/graphql';
import { CurrentSession, type ActiveSession } from '../../src/index.js';
import { UsersService } from '../users/users.service.js';
import { UserModel } from './user.model.js';

/** `me`: the GraphQL face of `GET /me`'s `user`. */
@Resolver(() => UserModel)
export class MeResolver {
  constructor(private readonly users: UsersService) {}

  @Query(() => UserModel)
  async me(@CurrentSession() session: ActiveSession): Promise<UserModel> {
    const user = await this.users.findUser(Number(session.userId));
    return {
      id: session.userId,
      username: user?.username ?? '',
      roles: user?.roles ?? session.roles,
    };
  }
}
