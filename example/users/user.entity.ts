import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user of the example app. */
@Entity('example_user')
export class User {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 64, unique: true })
  username!: string;

  @Column({ type: 'varchar', length: 256 })
  passwordHash!: string;

  @Column({ type: 'simple-json' })
  roles!: string[];

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;
}
