import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config.js';
import { InputError } from '../../src/core/errors.js';
import { relatedListSpec } from '../../src/core/related-list-spec.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

const config = parseConfig(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8'), 'ce-connect.json');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('relatedListSpec', () => {
  it('takes everything from the config by default', () => {
    const spec = relatedListSpec(config);
    expect(spec.relatedList).toBe(`${config.enrollment.object}.${config.enrollment.contactField}`);
    expect(spec.fields).toEqual(config.layouts.relatedList.fields);
    expect(spec.sortField).toBe(config.layouts.relatedList.sortField);
    expect(spec.sortOrder).toBe(config.layouts.relatedList.sortOrder);
    expect(spec.excludeButtons).toEqual(['New']);
    expect(spec.customButtons).toBeUndefined();
  });

  it('lets flags replace each value, lists comma-separated', () => {
    const spec = relatedListSpec(config, {
      relatedList: '%%%NAMESPACE%%%Enrollment__c.%%%NAMESPACE%%%Contact__c',
      fields: 'NAME, Status__c',
      sortField: 'NAME',
      sortOrder: 'Asc',
      excludeButtons: '',
      customButtons: 'Open_In_CE',
    });
    expect(spec).toEqual({
      relatedList: '%%%NAMESPACE%%%Enrollment__c.%%%NAMESPACE%%%Contact__c',
      fields: ['NAME', 'Status__c'],
      sortField: 'NAME',
      sortOrder: 'Asc',
      excludeButtons: [],
      customButtons: ['Open_In_CE'],
    });
  });

  it.each([
    [{ fields: 'NAME,<b>' }, '--fields "<b>"'],
    [{ fields: ' , ' }, '--fields'],
    [{ fields: 'NAME,NAME' }, 'listed twice'],
    [{ sortOrder: 'Up' }, '--sort-order'],
    [{ relatedList: 'a.b.c' }, '--related-list'],
    [{ sortField: 'two words' }, '--sort-field'],
  ])('refuses %j naming the flag', (overrides, text) => {
    const error = thrown(() => relatedListSpec(config, overrides));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(text);
  });
});
