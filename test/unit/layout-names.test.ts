import { InputError } from '../../src/core/errors.js';
import { layoutFullName, packageXml, selectLayouts } from '../../src/core/layout-names.js';

describe('layoutFullName', () => {
  it('puts the namespace back on the layout half of a managed layout', () => {
    expect(
      layoutFullName({
        fullName: 'Contact-Northpass Contact Layout',
        namespacePrefix: 'northpass',
        manageableState: 'installed',
      })
    ).toBe('Contact-northpass__Northpass Contact Layout');
  });

  it('leaves unmanaged names, and names that already carry the namespace, alone', () => {
    expect(layoutFullName({ fullName: 'Contact-Contact Layout', manageableState: 'unmanaged' })).toBe(
      'Contact-Contact Layout'
    );
    expect(
      layoutFullName({
        fullName: 'Contact-npsp__Contact Layout',
        namespacePrefix: 'npsp',
        manageableState: 'installed',
      })
    ).toBe('Contact-npsp__Contact Layout');
  });
});

describe('selectLayouts', () => {
  const available = [
    'Account-Account Layout',
    'Contact-Contact %28Marketing%29 Layout',
    'Contact-Contact Layout',
    'Contact-northpass__Northpass Contact Layout',
  ];

  it('takes every Contact layout for *', () => {
    expect(selectLayouts(available, ['*'])).toEqual([
      'Contact-Contact %28Marketing%29 Layout',
      'Contact-Contact Layout',
      'Contact-northpass__Northpass Contact Layout',
    ]);
  });

  it('matches names with or without the managed namespace and percent-encoding', () => {
    expect(
      selectLayouts(available, ['Contact-Northpass Contact Layout', 'Contact-Contact (Marketing) Layout'])
    ).toEqual(['Contact-northpass__Northpass Contact Layout', 'Contact-Contact %28Marketing%29 Layout']);
  });

  it('refuses a name the org does not have, listing the ones it has', () => {
    let error: unknown;
    try {
      selectLayouts(available, ['Contact-Nope', 'Account-Account Layout']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).data).toMatchObject({ missing: ['Contact-Nope', 'Account-Account Layout'] });
    expect((error as InputError).actions[0]).toContain('Contact-Contact Layout');
  });
});

describe('packageXml', () => {
  it('names the members, sorted and escaped', () => {
    expect(packageXml('Layout', ['Contact-B', 'Contact-A & Co'], '62.0')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n    <types>\n        <members>Contact-A &amp; Co</members>\n        <members>Contact-B</members>\n        <name>Layout</name>\n    </types>\n    <version>62.0</version>\n</Package>\n'
    );
  });
});
