// WHERE: the parser's chain of conditions turned back into tokens, and a small precedence parser over them
// (NOT before AND before OR, as the SOQL reference orders them).
import type { Condition, Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import { malformed } from './common.js';

export type Token =
  | { kind: '(' }
  | { kind: ')' }
  | { kind: 'AND' }
  | { kind: 'OR' }
  | { kind: 'NOT' }
  | { kind: 'cond'; cond: Condition | ValueQueryLike };

export type ValueQueryLike = { field: string; operator: string; valueQuery: Query };

export type Expr =
  | { kind: 'and' | 'or'; items: Expr[] }
  | { kind: 'not'; item: Expr }
  | { kind: 'cond'; cond: Condition | ValueQueryLike };

function repeat(kind: '(' | ')', n: number | undefined, out: Token[]): void {
  for (let i = 0; i < (n ?? 0); i++) out.push({ kind });
}

/** The parser returns WHERE as a chain with paren counts; turn it back into a flat token list. */
export function tokenize(where: WhereClause | undefined): Token[] {
  const out: Token[] = [];
  let node: WhereClause | undefined = where;
  while (node) {
    const w = node as {
      left: (Condition & { openParen?: number; closeParen?: number }) | null;
      operator?: string;
      right?: WhereClause;
    };
    if (w.left) {
      if (!('field' in w.left) && !('fn' in w.left)) {
        repeat('(', w.left.openParen, out);
      } else {
        repeat('(', w.left.openParen, out);
        out.push({ kind: 'cond', cond: w.left });
        repeat(')', w.left.closeParen, out);
      }
    }
    if (w.operator === 'AND' || w.operator === 'OR' || w.operator === 'NOT') out.push({ kind: w.operator });
    node = w.right;
  }
  return out;
}

export class ExprParser {
  private pos = 0;
  public constructor(private readonly tokens: Token[]) {}

  public parse(): Expr | undefined {
    if (this.tokens.length === 0) return undefined;
    const expr = this.parseSequence();
    if (this.pos !== this.tokens.length) throw malformed('unexpected token in WHERE clause');
    return expr;
  }

  // SOQL requires parentheses when AND and OR are mixed at one level; a query that mixes them is refused.
  private parseSequence(): Expr {
    const items = [this.parseUnary()];
    let op: 'AND' | 'OR' | undefined;
    while (this.peek()?.kind === 'AND' || this.peek()?.kind === 'OR') {
      const next = this.tokens[this.pos++].kind as 'AND' | 'OR';
      if (op && op !== next) {
        throw malformed('unexpected token: OR (use parentheses when combining AND and OR in a WHERE clause)');
      }
      op = next;
      items.push(this.parseUnary());
    }
    return items.length === 1 ? items[0] : { kind: op === 'OR' ? 'or' : 'and', items };
  }

  private parseUnary(): Expr {
    const token = this.tokens[this.pos++];
    if (!token) throw malformed('unexpected end of WHERE clause');
    if (token.kind === 'NOT') return { kind: 'not', item: this.parseUnary() };
    if (token.kind === '(') {
      const inner = this.parseSequence();
      if (this.tokens[this.pos++]?.kind !== ')') throw malformed('unbalanced parentheses in WHERE clause');
      return inner;
    }
    if (token.kind === 'cond') return { kind: 'cond', cond: token.cond };
    throw malformed(`unexpected token: ${token.kind}`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
}
