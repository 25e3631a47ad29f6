/*
 * cwords: a small C program of heatls's tests, profiled for real with
 * gperftools. It builds a pseudo-random text from a fixed seed, then for a
 * few seconds splits it into words, counts them in a hash table and sorts
 * the counts. Its output is the same on every run.
 *
 * usage: cwords [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TEXT_SIZE (1 << 20)
#define TABLE_SIZE 4096

typedef struct entry {
  char word[16];
  unsigned count;
  int used;
} entry_t;

static entry_t table[TABLE_SIZE];

static unsigned next_random(unsigned *state) {
  *state = *state * 1103515245u + 12345u;
  return (*state >> 16) & 0x7fff;
}

static char *make_text(size_t size) {
  static const char *syllables[] = {"ka", "lo", "mi", "ne", "su", "ta", "ro"};
  char *text = malloc(size + 1);
  unsigned state = 42;
  size_t at = 0;
  while (at + 8 < size) {
    unsigned n = 1 + next_random(&state) % 3;
    for (unsigned i = 0; i < n; i++) {
      const char *s = syllables[next_random(&state) % 7];
      text[at++] = s[0];
      text[at++] = s[1];
    }
    text[at++] = ' ';
  }
  text[at] = '\0';
  return text;
}

static unsigned hash(const char *word, size_t len) {
  unsigned h = 2166136261u;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)word[i];
    h *= 16777619u;
  }
  return h;
}

static void count_word(const char *word, size_t len) {
  unsigned slot = hash(word, len) % TABLE_SIZE;
  while (table[slot].used && (strlen(table[slot].word) != len ||
                              memcmp(table[slot].word, word, len) != 0))
    slot = (slot + 1) % TABLE_SIZE;
  if (!table[slot].used) {
    memcpy(table[slot].word, word, len);
    table[slot].word[len] = '\0';
    table[slot].used = 1;
  }
  table[slot].count++;
}

static void count_words(const char *text) {
  const char *p = text;
  while (*p) {
    while (*p == ' ')
      p++;
    const char *start = p;
    while (*p && *p != ' ')
      p++;
    if (p > start && (size_t)(p - start) < sizeof table[0].word)
      count_word(start, (size_t)(p - start));
  }
}

static int by_count(const void *a, const void *b) {
  const entry_t *x = a, *y = b;
  if (x->count != y->count)
    return x->count < y->count ? 1 : -1;
  return strcmp(x->word, y->word);
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 3;
  char *text = make_text(TEXT_SIZE);
  clock_t start = clock();
  unsigned rounds = 0;
  while ((double)(clock() - start) / CLOCKS_PER_SEC < seconds) {
    memset(table, 0, sizeof table);
    count_words(text);
    rounds++;
  }
  qsort(table, TABLE_SIZE, sizeof table[0], by_count);
  printf("%u rounds; top word: %s (%u)\n", rounds > 0 ? 1u : 0u,
         table[0].word, table[0].count);
  free(text);
  return 0;
}
