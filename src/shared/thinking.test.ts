import { describe, expect, it } from 'vitest';
import { thinkingSupport } from './thinking.ts';

// The ends of real templates (tokenizer_config.json's chat_template), where the generation
// prompt is written; the parts before them only handle earlier turns.
const qwen3 = `{%- for message in messages %}{%- if '</think>' in content %}{%- set content = content.split('</think>')[-1] %}{%- endif %}{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\\n\\n</think>\\n\\n' }}
    {%- endif %}
{%- endif %}`;

const deepSeekR1Distill = `{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{%- for message in messages %}{{'<｜User｜>' + message['content']}}{%- endfor -%}{% if add_generation_prompt and not ns.is_tool %}{{'<｜Assistant｜><think>\\n'}}{% endif %}`;

const llama32 = `{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}`;

describe('thinking support read from a chat template', () => {
  it('Qwen3: a switch, and the reasoning opens in the output', () => {
    expect(thinkingSupport(qwen3)).toEqual({ switchable: true, startsInReasoning: false });
  });

  it('DeepSeek-R1 distills: no switch, the prompt opens the reasoning', () => {
    expect(thinkingSupport(deepSeekR1Distill)).toEqual({
      switchable: false,
      startsInReasoning: true,
    });
  });

  it('a model that does not think, or has no template', () => {
    expect(thinkingSupport(llama32)).toEqual({ switchable: false, startsInReasoning: false });
    expect(thinkingSupport(null)).toEqual({ switchable: false, startsInReasoning: false });
  });
});
