import type { DataSource } from 'typeorm';
import { Article } from './articles/article.entity.js';
import { hashPassword } from './users/password.js';
import { User } from './users/user.entity.js';

const USERS = [
  { id: 1, username: 'alice', password: 'alice-password', roles: ['admin'] },
  { id: 2, username: 'bob', password: 'bob-password', roles: ['editor'] },
  { id: 3, username: 'carol', password: 'carol-password', roles: ['viewer'] },
];

const ARTICLES = [
  { id: 1, title: 'Rotating tokens without tears', authorId: 2 },
  { id: 2, title: 'Idle versus absolute timeouts', authorId: 2 },
  { id: 3, title: 'Why sessions live on the server', authorId: 1 },
];

/** Inserts the demo users and articles that are missing; never overwrites existing rows. */
export async function seed(dataSource: DataSource): Promise<void> {
  const users = dataSource.getRepository(User);
  for (const { password, ...user } of USERS) {
    if (await users.existsBy({ id: user.id })) continue;
    await users.insert({ ...user, disabled: false, passwordHash: await hashPassword(password) });
  }
  const articles = dataSource.getRepository(Article);
  for (const article of ARTICLES) {
    if (!(await articles.existsBy({ id: article.id }))) await articles.insert(article);
  }
}
