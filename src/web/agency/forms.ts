import type { AgencyItem, AgencyView } from '../../client/read-model';
import type { FileToSubmit } from '../../client/inspections';
import type { Intake } from '../../infra/files/intake';
import { storeText, type Upload, type UploadedFile } from '../uploads';

/**
 * An agency's forms, read into what is submitted: files with their codes, the child, a note, the complete
 * flag. The evaluation and consent forms become documents in the file store, never text in workflow state.
 */

/** A form field's element id: `file:3.1` becomes `file-3-1`. */
export function fieldId(field: string): string {
  return field.replace(/[^A-Za-z0-9_-]/g, '-');
}

export class FormError extends Error {
  constructor(readonly errors: { text: string; href: string }[]) {
    super(errors[0]?.text ?? 'form error');
  }
}

const asFile = (f: UploadedFile, code?: string): FileToSubmit => ({
  stored: f.stored,
  name: f.name,
  ...(code ? { code } : {}),
});

/** Turn a form into what is submitted: files with codes, a child, a note, the complete flag. */
export async function submissionFrom(
  d: AgencyItem,
  upload: Upload,
  childId: string | undefined,
  page: AgencyView,
  intake: Intake,
): Promise<{ files: FileToSubmit[]; extra: { childId?: string; note?: string; complete?: boolean } }> {
  const v = upload.fields;
  if (d.perTrackedChild && (!childId || !page.trackedChildren.includes(childId))) {
    throw new FormError([{ text: 'Choose one of the tracked children.', href: '#main-content' }]);
  }
  const child = d.perTrackedChild && childId ? { childId } : {};
  switch (d.kind) {
    case 'list': {
      if (d.list === 'meetings' && v.mode === 'none') {
        return {
          files: [],
          extra: { note: 'No multi-agency meetings to declare in the fieldwork week.' },
        };
      }
      const file = upload.files.find((f) => f.field === 'file');
      if (!file || upload.files.length !== 1)
        throw new FormError([{ text: 'Choose the list file (.xlsx or .csv) to upload.', href: '#file' }]);
      return { files: [asFile(file)], extra: {} };
    }
    case 'documents': {
      const codes = new Set(d.documents.map((doc) => doc.code));
      const files = upload.files.map((f) => {
        const code = f.field.startsWith('file:') ? f.field.slice(5) : undefined;
        return asFile(f, code && codes.has(code) ? code : undefined);
      });
      const note = (v.note ?? '').trim();
      const complete = v.complete === 'yes';
      if (files.length === 0 && !note && !complete) {
        throw new FormError([
          {
            text: 'Choose at least one file, or say that there is nothing more to send.',
            href: `#${fieldId(`file:${d.documents[0]?.code ?? ''}`)}`,
          },
        ]);
      }
      return {
        files,
        extra: {
          ...child,
          ...(note ? { note: note.slice(0, 2000) } : {}),
          ...(complete ? { complete } : {}),
        },
      };
    }
    case 'evaluation': {
      if (v.mode === 'upload') {
        const file = upload.files.find((f) => f.field === 'file');
        if (!file)
          throw new FormError([{ text: 'Choose the evaluation document to upload.', href: '#file' }]);
        return { files: [asFile(file)], extra: child };
      }
      const answers = page.evaluationQuestions.map((q, i) => ({ q, a: (v[`q${i + 1}`] ?? '').trim() }));
      // Annex B's header (age, individual needs): asked, not required; one line each, read back for the pack.
      const header = page.evaluationHeader.map(
        (h, i) =>
          `${h.label}: ${(v[`h${i + 1}`] ?? '').replace(/\s+/g, ' ').trim().slice(0, 500) || 'not given'}`,
      );
      const missing = answers.map((x, i) => (x.a ? -1 : i)).filter((i) => i >= 0);
      if (missing.length > 0) {
        throw new FormError(
          missing.map((i) => ({
            text: `Answer question ${i + 1}: ${answers[i]?.q ?? ''}`,
            href: `#q${i + 1}`,
          })),
        );
      }
      const text = [
        d.view.owner === 'partnership'
          ? `Joint evaluation of a tracked child's experience (Annex B)`
          : `Individual evaluation by ${page.agencyName} of a tracked child's experience (Annex B)`,
        `Inspection: ${page.localAuthority}, notified ${page.notifiedOn}`,
        `Child ID: ${childId ?? ''}`,
        ...header,
        '',
        ...answers.flatMap((x, i) => [`${i + 1}. ${x.q}`, '', x.a, '']),
      ].join('\n');
      const stored = await storeText(intake, text);
      return {
        // Named by what it is: the child is in the submission (and the text), never in a file name.
        files: [
          { stored, name: `${d.view.owner === 'partnership' ? 'joint' : 'individual'}-evaluation.txt` },
        ],
        extra: child,
      };
    }
    case 'consent': {
      const choice = v.consent;
      const details = (v.details ?? '').trim();
      const errors = [];
      if (choice !== 'arranged' && choice !== 'not-possible')
        errors.push({ text: 'Say whether the discussions can take place.', href: '#consent' });
      if (!details)
        errors.push({
          text:
            choice === 'not-possible'
              ? 'Give the reasons why the discussions cannot take place.'
              : 'Describe the arrangements.',
          href: '#details',
        });
      if (errors.length > 0) throw new FormError(errors);
      const heading =
        choice === 'arranged'
          ? 'Arrangements for inspectors to meet the child and family'
          : 'Reasons why inspectors cannot meet the child and family';
      const stored = await storeText(
        intake,
        [heading, `Child ID: ${childId ?? ''}`, '', details, ''].join('\n'),
      );
      return {
        files: [{ stored, name: 'consent.txt' }],
        extra: {
          ...child,
          note: choice === 'arranged' ? 'Arrangements made' : 'Discussions cannot take place: reasons given',
        },
      };
    }
    default:
      throw new FormError([{ text: 'This is recorded by the coordinator.', href: '#main-content' }]);
  }
}
