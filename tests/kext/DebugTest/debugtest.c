/* The DebugTest kext of the kext-debugging workflow: its start routine stops in the debugger
 * (int3) so the user lands in DebugTest_start. Line numbers are the tests' expectations only through
 * llvm-dwarfdump / llvm-symbolizer reading the built file, never from here. */
typedef struct kmod_info kmod_info_t;
typedef int kern_return_t;

struct debugtest_state {
  int started;
  unsigned int calls;
  void *last_data;
  char tag[8];
};

#ifdef DEBUGTEST_REBUILT
#define DEBUGTEST_TAG "rebuilt"
#else
#define DEBUGTEST_TAG "dbgtest"
#endif

struct debugtest_state g_state = {0, 0, 0, DEBUGTEST_TAG};

static int debugtest_note(struct debugtest_state *s, void *d)
{
  s->calls += 1;
  s->last_data = d;
  return (int)s->calls;
}

kern_return_t DebugTest_start(kmod_info_t *ki, void *d)
{
  asm("int $3");
  g_state.started = 1;
  return debugtest_note(&g_state, d) > 0 ? 0 : (int)(long)ki;
}

kern_return_t DebugTest_stop(kmod_info_t *ki, void *d)
{
  g_state.started = 0;
  return debugtest_note(&g_state, d) > 0 ? 0 : (int)(long)ki;
}
