import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An article of the example's tiny domain. */
@Entity('example_article')
export class Article {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'integer' })
  authorId!: number;
}
