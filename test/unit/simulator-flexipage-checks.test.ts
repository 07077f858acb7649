import { checkFlexiPage, checkOverrides } from '../../simulator/mdapi/flexipage-checks.js';
import { buildOrg, loadScenario } from '../../simulator/scenario.js';

describe('the simulated org checks deployed Lightning pages as a real org does', () => {
  const org = buildOrg(loadScenario('pages'));
  const page = (name: string): string => org.getMetadata('FlexiPage', name)?.content ?? '';

  it('accepts the pages of its own scenario', () => {
    for (const name of ['Contact_Record_Page', 'Sales_Contact_Page', 'Support_Contact_Page']) {
      expect(checkFlexiPage(org, name, page(name))).toEqual([]);
    }
  });

  it('refuses a component it does not have, an unknown property and an unknown custom related list', () => {
    const unknown = page('Support_Contact_Page').replace(
      '<componentName>contactEnrollments</componentName>',
      '<componentName>c:learnerCard</componentName>'
    );
    expect(checkFlexiPage(org, 'x', unknown).map((p) => p.problem)).toEqual([
      "We couldn't retrieve the design time component information for component c:learnerCard.",
    ]);
    const property = page('Sales_Contact_Page').replace('<name>rowsToDisplay</name>', '<name>rowCount</name>');
    expect(checkFlexiPage(org, 'x', property)[0]).toMatchObject({
      problem: 'Invalid property [rowCount] in component [force:relatedListSingleContainer]',
      lineNumber: expect.any(Number),
    });
    const list = page('Sales_Contact_Page').replace('<value>Cases</value>', '<value>ns__Nothing__r</value>');
    expect(checkFlexiPage(org, 'x', list)[0].problem).toBe(
      'Invalid related list [ns__Nothing__r] in component [lst:dynamicRelatedList] for Contact'
    );
  });

  it('refuses elements out of sequence and unparsable files', () => {
    const order = page('Contact_Record_Page').replace(
      '<name>sidebar</name>\n        <type>Region</type>',
      '<type>Region</type>\n        <name>sidebar</name>'
    );
    expect(checkFlexiPage(org, 'x', order)[0].problem).toBe(
      'Element {http://soap.sforce.com/2006/04/metadata}name invalid at this location in type FlexiPageRegion'
    );
    expect(checkFlexiPage(org, 'x', '<FlexiPage><a></FlexiPage>')[0].problem).toMatch(/^Error parsing file: /);
  });

  it('refuses a View override naming a page it does not have, unless the page comes with it', () => {
    const app = org.getMetadata('CustomApplication', 'Sales')?.content ?? '';
    const other = app.replace('<content>Sales_Contact_Page</content>', '<content>New_Page</content>');
    expect(checkOverrides(org, other, 'Sales', new Set()).map((p) => p.problem)).toEqual([
      'New_Page does not exist or is not a valid override for action View.',
    ]);
    expect(checkOverrides(org, other, 'Sales', new Set(['New_Page']))).toEqual([]);
  });
});
