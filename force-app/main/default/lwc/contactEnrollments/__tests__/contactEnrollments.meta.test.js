// The design attributes' defaults are the config's guesses at the package's names, with the namespace as the
// %%%NAMESPACE%%% token that sfdx-project.json's replacements fill in from CE_NAMESPACE at deploy; these tests keep
// the bundle metadata, the component, the Contact record page and config/ce-connect.json saying the same thing.
import { createElement } from 'lwc';
import ContactEnrollments from 'c/contactEnrollments';
const { readFileSync } = require('fs');
const { join } = require('path');
const { XMLParser } = require('fast-xml-parser');

const PROJECT = join(__dirname, '..', '..', '..', '..', '..', '..');
const BUNDLE = join(__dirname, '..', 'contactEnrollments.js-meta.xml');
const FLEXIPAGES = join(PROJECT, 'force-app', 'main', 'default', 'flexipages');
const RECORD_PAGE = join(FLEXIPAGES, 'Contact_Enrollments_Record_Page.flexipage-meta.xml');

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
const meta = xml.parse(readFileSync(BUNDLE, 'utf8')).LightningComponentBundle;
const config = JSON.parse(readFileSync(join(PROJECT, 'config', 'ce-connect.json'), 'utf8'));
const project = JSON.parse(readFileSync(join(PROJECT, 'sfdx-project.json'), 'utf8'));

const namespace = config.packages.find((pkg) => pkg.key === 'northpass').namespace;
/** A config name with its namespace as the token the deploy replaces. */
const tokened = (name) => name.replace(`${namespace}__`, '%%%NAMESPACE%%%__');

const targetConfig = meta.targetConfigs.targetConfig;
const properties = Object.fromEntries([targetConfig.property].flat().map((property) => [property.name, property]));

const FROM_CONFIG = {
  relatedListId: config.enrollment.relationshipName,
  enrollmentObject: config.enrollment.object,
  courseNameField: config.enrollment.courseNameField,
  progressField: config.enrollment.progressField,
  attemptField: config.enrollment.attemptField,
  enrollmentDateField: config.enrollment.enrollmentDateField,
};

describe('contactEnrollments.js-meta.xml', () => {
  it('exposes the component on Contact record pages only, at the project API version', () => {
    expect(meta.isExposed).toBe(true);
    expect(String(meta.apiVersion.toFixed(1))).toBe(project.sourceApiVersion);
    expect(meta.targets.target).toBe('lightning__RecordPage');
    expect(targetConfig.targets).toBe('lightning__RecordPage');
    expect(targetConfig.objects.object).toBe('Contact');
  });

  it.each(Object.entries(FROM_CONFIG))('defaults %s to the config value %s, namespace as the token', (name, value) => {
    expect(properties[name]).toMatchObject({ type: 'String', default: tokened(value), required: 'true' });
  });

  it('has its namespace token filled in at deploy, as the layout, page and policy have', () => {
    const globs = project.replacements
      .filter((r) => r.stringToReplace === '%%%NAMESPACE%%%' && r.replaceWithEnv === 'CE_NAMESPACE')
      .map((r) => r.glob);
    expect(globs).toContain('force-app/**/lwc/*/*.js-meta.xml');
  });

  it('offers a row limit of 1 to 50, 5 by default', () => {
    expect(properties.rowLimit).toMatchObject({ type: 'Integer', default: '5', min: '1', max: '50' });
  });

  it('gives the component the same defaults as its design attributes', () => {
    const element = createElement('c-contact-enrollments', { is: ContactEnrollments });

    expect(Object.keys(properties).sort()).toEqual([...Object.keys(FROM_CONFIG), 'rowLimit'].sort());
    // The component's own defaults carry the config's namespace: what the token becomes with CE_NAMESPACE unset.
    for (const [name, property] of Object.entries(properties)) {
      expect(tokened(String(element[name]))).toBe(property.default);
    }
  });
});

describe('the Contact record page', () => {
  const page = xml.parse(readFileSync(RECORD_PAGE, 'utf8')).FlexiPage;
  const instance = [page.flexiPageRegions]
    .flat()
    .flatMap((region) => [region.itemInstances].flat())
    .map((item) => item.componentInstance)
    .find((component) => component.componentName === 'contactEnrollments');
  const values = Object.fromEntries(
    [instance.componentInstanceProperties].flat().map((property) => [property.name, String(property.value)])
  );

  it('is a Contact record page that places the component', () => {
    expect(page).toMatchObject({ type: 'RecordPage', sobjectType: 'Contact' });
    expect(instance).toBeDefined();
  });

  it('sets only design attributes, with the config names behind the namespace token', () => {
    expect(Object.keys(values).sort()).toEqual(Object.keys(properties).sort());
    for (const [name, value] of Object.entries(FROM_CONFIG)) {
      expect(values[name]).toBe(tokened(value));
    }
    expect(values.rowLimit).toBe(properties.rowLimit.default);
  });
});
