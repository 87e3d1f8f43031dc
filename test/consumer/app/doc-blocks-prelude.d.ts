// What the doc blocks call "yours": the app's own pieces they name without defining.
declare class AppModule {}
declare class DatabaseModule {}
declare function checkPassword(
  body: unknown,
): Promise<import('nestjs-session-security').SessionPrincipal>;
declare const yourEntities: (new () => object)[];
declare const yourMigrations: (new () => object)[];
declare class UsersService {
  verify(username: string, password: string): Promise<{ id: number; roles: string[] } | null>;
}
