/**
 * The element order the Metadata API's WSDL fixes for a page layout. A deploy whose XML breaks the order fails
 * with `Element {…}X invalid at this location in type Layout`, so both the transform (where to insert) and the
 * simulated org (what to reject) read it from here.
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_layouts.htm
 */
export const LAYOUT_ELEMENT_ORDER: readonly string[] = [
  'customButtons',
  'customConsoleComponents',
  'emailDefault',
  'excludeButtons',
  'feedLayout',
  'headers',
  'layoutSections',
  'miniLayout',
  'multilineLayoutFields',
  'platformActionList',
  'quickActionList',
  'relatedContent',
  'relatedLists',
  'relatedObjects',
  'runAssignmentRulesDefault',
  'showEmailCheckbox',
  'showHighlightsPanel',
  'showInteractionLogPanel',
  'showKnowledgeComponent',
  'showRunAssignmentRulesCheckbox',
  'showSolutionSection',
  'showSubmitAndAttachButton',
  'summaryLayout',
];

/**
 * Children of one related list (`RelatedListItem`), in WSDL order. `quickActions` is in the Apex
 * `Metadata.RelatedListItem` class, though jsforce's schema lacks it.
 * https://developer.salesforce.com/docs/atlas.en-us.apexref.meta/apexref/apex_class_Metadata_RelatedListItem.htm
 */
export const RELATED_LIST_ITEM_ORDER: readonly string[] = [
  'customButtons',
  'excludeButtons',
  'fields',
  'quickActions',
  'relatedList',
  'sortField',
  'sortOrder',
];

/** Elements of a sequence that may repeat; the others appear at most once. */
const REPEATABLE = new Set([
  'customButtons',
  'customConsoleComponents',
  'excludeButtons',
  'headers',
  'layoutSections',
  'multilineLayoutFields',
  'platformActionList',
  'quickActionList',
  'relatedLists',
  'relatedObjects',
  'fields',
  'quickActions',
]);

export type OrderProblem = { index: number; name: string; message: string };

/**
 * The first element that breaks a WSDL sequence: unknown, out of order, or repeated when it may not be.
 * Returns undefined when the names are in a valid order.
 */
export function findOrderProblem(names: readonly string[], order: readonly string[]): OrderProblem | undefined {
  let lastRank = -1;
  let lastName = '';
  for (const [index, name] of names.entries()) {
    const rank = order.indexOf(name);
    if (rank < 0) return { index, name, message: `unknown element ${name}` };
    if (rank < lastRank || (rank === lastRank && !REPEATABLE.has(name))) {
      return { index, name, message: `${name} cannot follow ${lastName}` };
    }
    lastRank = rank;
    lastName = name;
  }
  return undefined;
}
