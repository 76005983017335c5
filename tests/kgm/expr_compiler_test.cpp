// The evaluator against an independent reference: the C++ compiler. The same expression text is
// evaluated by kgm over this process's own memory (symbols are the addresses of objects defined
// here, the struct's layout is what offsetof says) and compiled by the compiler building this
// test; value, size and signedness of the result must agree. C and C++ agree on every operator
// used here (comparisons aside, which C++ types as bool: only their value is compared).
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

// The expressions are written as C reads them, precedence and mixed signedness included.
#pragma GCC diagnostic ignored "-Wparentheses"
#pragma GCC diagnostic ignored "-Wsign-compare"

#include "kgm/expr.h"
#include "tests/kgm/test_memory.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

struct Node {
  int a;
  unsigned char b;
  long c;
  struct Node* next;
  unsigned short d;
  signed char e;
  int arr[4];
};

Node g_second = {-7, 9, 100000000000L, nullptr, 65535, -128, {5, 6, 7, 8}};
Node g_first = {13, 200, -123456789L, &g_second, 4660, -3, {1, -2, 3, 40}};
Node* g_ptr = &g_first;
int g_numbers[5] = {10, -20, 30, 40, 2147483647};

template <class T>
uint64_t host_address(const T& object) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&object));
}

// Only the bytes of the objects above are readable: a wrong address is an error, never a crash.
std::optional<uint8_t> host_byte(uint64_t address) {
  const std::pair<uint64_t, size_t> objects[] = {{host_address(g_first), sizeof g_first},
                                                 {host_address(g_second), sizeof g_second},
                                                 {host_address(g_ptr), sizeof g_ptr},
                                                 {host_address(g_numbers), sizeof g_numbers}};
  for (const auto& [start, size] : objects)
    if (address >= start && address - start < size) {
      uint8_t b;
      std::memcpy(&b, reinterpret_cast<const void*>(static_cast<uintptr_t>(address)), 1);
      return b;
    }
  return std::nullopt;
}

TypeRef char_of(bool is_signed) {
  TypeRef t = int_type(is_signed ? "signed char" : "unsigned char", 1, is_signed);
  t.kind = TypeKind::kChar;
  return t;
}

const TypeModel& node_types() {
  static const TypeModel model = [] {
    auto provider = std::make_shared<MapTypeProvider>("the test's struct Node");
    StructType node{"Node", sizeof(Node), false, {}};
    node.fields = {{"a", offsetof(Node, a), int_type("int", 4, true)},
                   {"b", offsetof(Node, b), char_of(false)},
                   {"c", offsetof(Node, c), int_type("long", 8, true)},
                   {"next", offsetof(Node, next), pointer_type("Node")},
                   {"d", offsetof(Node, d), int_type("unsigned short", 2, false)},
                   {"e", offsetof(Node, e), char_of(true)},
                   {"arr", offsetof(Node, arr), array_type(int_type("int", 4, true), 4)}};
    provider->add(std::move(node));
    return TypeModel(provider);
  }();
  return model;
}

struct Fixture {
  test::FnMemory memory{host_byte};
  MapSymbolSource symbols{{{"first", host_address(g_first)}, {"second", host_address(g_second)},
                           {"ptr", host_address(g_ptr)}, {"numbers", host_address(g_numbers)}}};
  ExprContext context() {
    ExprContext c;
    c.symbols = &symbols;
    c.memory = &memory;
    c.types = [] { return &node_types(); };
    c.symbol_type = [](std::string_view name, uint64_t) -> std::optional<TypeRef> {
      if (name == "first" || name == "second") return struct_type("Node", sizeof(Node));
      if (name == "ptr") return pointer_type("Node");
      return array_type(int_type("int", 4, true), 5);
    };
    return c;
  }
};

template <class T>
void check_same(Fixture& f, const char* text, T expected) {
  INFO(std::string(text));
  auto v = evaluate(text, f.context());
  REQUIRE_MESSAGE(v, (v ? "" : v.error().message()));
  if constexpr (std::is_pointer_v<T>) {
    CHECK(v->type.kind == TypeKind::kPointer);
    CHECK(v->bits == static_cast<uint64_t>(reinterpret_cast<uintptr_t>(expected)));
  } else {
    auto n = value_as_signed(*v);
    REQUIRE(n);
    CHECK(*n == static_cast<int64_t>(expected));
    if constexpr (!std::is_same_v<T, bool>) {
      CHECK(v->type.size == sizeof(T));
      CHECK(v->type.is_signed == std::is_signed_v<T>);
    }
  }
}

}  // namespace

// The expression is written once: the macro hands its text to kgm and its code to the compiler.
#define SAME(...) check_same(f, #__VA_ARGS__, (__VA_ARGS__))

TEST_CASE("kgm evaluates C expressions as the compiler does") {
  Fixture f;
  Node& first = g_first;
  Node& second = g_second;
  Node*& ptr = g_ptr;
  int(&numbers)[5] = g_numbers;

  SAME(first.a + first.c * 3);
  SAME(first.b + first.e);
  SAME(first.b - 201);
  SAME(-first.b);
  SAME(~first.d);
  SAME(first.d << 20);
  SAME(first.c / first.a);
  SAME(first.c % -7);
  SAME(first.a - first.c);
  SAME(ptr->next->a);
  SAME(ptr->next->c * 2);
  SAME((*ptr).arr[2] * first.e);
  SAME(numbers[3] - numbers[1]);
  SAME(numbers[4] + 1u);
  SAME(numbers[4] + 1L);
  SAME(&numbers[4] - &numbers[1]);
  SAME((char)first.c);
  SAME((unsigned short)first.c);
  SAME((unsigned)first.a * 3u);
  SAME((unsigned char)first.e);
  SAME(first.a > first.c);
  SAME(first.b < first.e);
  SAME((unsigned)first.e < 5);
  SAME(first.e < 5u);
  SAME(sizeof(struct Node));
  SAME(sizeof first.arr);
  SAME(sizeof(first.arr[0]));
  SAME(sizeof(ptr->next));
  SAME(ptr + 1);
  SAME(&first.arr[3]);
  SAME(&ptr->next->c);
  SAME(first.arr + 2);
  SAME((long)&first.c - (long)&first);
  SAME(first.a && second.a);
  SAME(first.a || 0);
  SAME(!first.c);
  SAME(first.c >> 3);
  SAME(first.e >> 1);
  SAME(first.a ^ first.d | 0x10 & first.b);
  SAME((int)first.c);
  SAME(1 + 2 * 3 - 4 / 2 % 3);
  SAME(numbers[first.a & 3]);
  SAME(ptr->arr[1] + ptr->next->arr[2]);
  SAME(second.e * second.e);
  SAME(-second.c / 3 + (second.c % 1000));
  SAME(0x7fffffff + 0);
  SAME(0xffffffff + 0);
  SAME(4294967296 - 1);
  SAME(first.b == 200);
  SAME(ptr->next != 0);
  SAME(ptr == &first);
  SAME(*numbers + numbers[1]);
  SAME(*(numbers + 2));
  SAME(2[numbers]);
}
