import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * What the product says lives in texts/. This check reads every product source file and lists the
 * Chinese (Han) strings outside it: string and template literals, and text in served HTML. Comments,
 * regular expressions, log lines and error messages for operators are not user-facing and not listed.
 * A place where Chinese is data or vocabulary rather than a message is allowed below, with the reason.
 */
const ROOT = join(import.meta.dirname, '../..');
const PRODUCT_FOLDERS = [
  'bot',
  'cards',
  'config',
  'core',
  'db',
  'domain',
  'handlers',
  'integrations',
  'jobs',
  'texts',
  'web',
];
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;

const ALLOWED: Array<{ path: RegExp; why: string }> = [
  { path: /^texts\//, why: 'the catalogues themselves' },
  { path: /^config\//, why: 'the business config: defaults a plant edits (bot name, reject reasons)' },
  { path: /^domain\/parse\//, why: 'the request parser: the words sales people write' },
  {
    path: /^domain\/(mould-command|approval-command|kpi\/commands|lifecycle\/stages|repromise\/command|complaints\/command|risk\/command)\.ts$/,
    why: 'chat command vocabulary',
  },
  { path: /^integrations\/excel\//, why: 'the column headers of U8 / Kingdee Excel exports' },
  {
    path: /^integrations\/channels\/rule-sheet\.ts$/,
    why: 'the column headers and cell words of the promotion rule sheet (渠道, 满减, 95折, 支付时间 …)',
  },
  {
    path: /^integrations\/channels\/settlement-export\.ts$/,
    why: 'the column headers and fee words of uploaded settlement exports (订单号, 费用项, 收入/支出, 货款, 佣金 …)',
  },
  { path: /^integrations\/courier\/(carriers|kuaidi100)\.ts$/, why: 'carrier names and 快递100 return codes' },
  { path: /^db\/demo-data\.ts$/, why: 'the demo master data' },
  { path: /^db\/(schema|plant-sync)\.ts$/, why: 'the unit a material gets when none is given (data)' },
];

const LOG_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

function productFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .map((name) => join(folder, name).replaceAll('\\', '/'))
    .filter((name) => /\.(ts|html)$/.test(name));
}

/** A log line (log.warn(…), this.log.info(…)) or an error for operators (new XError(…), DeliveryError.retry(…)). */
function forOperators(node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if (ts.isNewExpression(at) && /(Error|Refused)$/.test(at.expression.getText())) return true;
    if (ts.isCallExpression(at) && ts.isPropertyAccessExpression(at.expression)) {
      const owner = at.expression.expression.getText();
      const method = at.expression.name.text;
      if (LOG_METHODS.has(method) && /(^|\.)(log|logger)$/.test(owner)) return true;
      if (/(Error|Refused)$/.test(owner)) return true;
    }
    if (ts.isBlock(at) || ts.isSourceFile(at)) return false;
  }
  return false;
}

function strayInTypeScript(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const literal =
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node);
    if (literal && HAN.test(node.text) && !forOperators(node)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${path}:${line + 1}: ${node.text.slice(0, 60)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function strayInHtml(path: string, text: string): string[] {
  const withoutComments = text.replace(/<!--[\s\S]*?-->/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  return withoutComments
    .split('\n')
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => HAN.test(line.replace(/\/\/.*$/, '')))
    .map(({ line, n }) => `${path}:${n}: ${line.trim().slice(0, 60)}`);
}

describe('what the product says', () => {
  it('holds no user-facing Chinese outside texts/ (and the allowed vocabulary and data)', () => {
    const stray = PRODUCT_FOLDERS.flatMap(productFiles)
      .filter((path) => !ALLOWED.some((a) => a.path.test(path)))
      .flatMap((path) => {
        const text = readFileSync(join(ROOT, path), 'utf8');
        return path.endsWith('.html') ? strayInHtml(path, text) : strayInTypeScript(path, text);
      });
    expect(stray).toEqual([]);
  });

  it('finds a stray string, and not one in a comment, a regex, a log line or an error', () => {
    const sample = [
      "const reply = '已创建需求单';",
      '// 注释里的中文',
      'const re = /按最早下单/;',
      "log.warn({ id }, '企业可信IP');",
      "throw new Error('没有找到');",
      "throw DeliveryError.retry('限流');",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the sample is source code with a template in it
      'const note = `原文：${text}`;',
    ].join('\n');
    const found = strayInTypeScript('sample.ts', sample);
    expect(found).toEqual(['sample.ts:1: 已创建需求单', 'sample.ts:7: 原文：']);
    expect(strayInHtml('page.html', '<!-- 说明 -->\n<b>{{title}}</b>\n<p>发送</p>')).toEqual([
      'page.html:3: <p>发送</p>',
    ]);
  });
});
