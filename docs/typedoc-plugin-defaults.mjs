// TypeDoc plugin: renders `@default` the way the doc comments write it (the jsii convention). A value
// (`@default Duration.minutes(10)`) becomes inline code; a description (`@default - the image's cmd`) becomes text.
// TypeDoc alone puts both in a code block, so every "- none" would read as code.
import { Comment, Converter } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of Object.values(context.project.reflections)) {
      for (const tag of reflection.comment?.blockTags ?? []) {
        if (tag.tag !== '@default') continue;
        const [first, ...rest] = tag.content;
        if (first?.kind === 'text' && first.text.startsWith('- ')) {
          tag.content = [{ ...first, text: first.text.slice(2) }, ...rest];
        } else {
          tag.content = [{ kind: 'code', text: `\`${Comment.combineDisplayParts(tag.content).trim()}\`` }];
        }
      }
    }
  });
}
