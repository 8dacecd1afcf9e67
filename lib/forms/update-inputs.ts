// FormData → the update schemas' input for the forms that edit existing rows. Kept out
// of the "use server" files so they can be tested: a field the form did not send stays
// undefined, so an update never clears what it was not asked to change.
import { int, list, sentBool, sentChoices, sentText } from "./read-form";

export function secretMetadataInput(fd: FormData) {
  return { description: sentText(fd, "description"), tags: list(fd, "tags") };
}

export function policyInput(fd: FormData) {
  return {
    maxTtlSeconds: int(fd, "maxTtlSeconds"),
    defaultTtlSeconds: int(fd, "defaultTtlSeconds"),
    requireJustification: sentBool(fd, "requireJustification"),
    minJustificationLength: int(fd, "minJustificationLength"),
    singleUseByDefault: sentBool(fd, "singleUseByDefault"),
    rotationPeriodDays: int(fd, "rotationPeriodDays"),
    approvalSecretIds: sentChoices(fd, "approvalSecretIds"),
    approvalTags: list(fd, "approvalTags"),
    approvalsRequired: int(fd, "approvalsRequired"),
  };
}
