"""Shared by the framework runs: a tiny Llama and token datasets that are the same in every process."""
import torch

VOCAB = 97


def tiny_llama():
    import transformers
    torch.manual_seed(0)
    config = transformers.LlamaConfig(hidden_size=32, num_attention_heads=4, num_key_value_heads=2, num_hidden_layers=3,
                                      intermediate_size=64, vocab_size=VOCAB, max_position_embeddings=64)
    return transformers.LlamaForCausalLM(config)


class RandomTokens(torch.utils.data.Dataset):
    """Fixed random token sequences (a generator of its own: the same on every rank, no draw from the global one)."""

    def __init__(self, size, length=16, seed=0):
        self.ids = torch.randint(0, VOCAB, (size, length), generator=torch.Generator().manual_seed(seed))

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.ids[i]}
