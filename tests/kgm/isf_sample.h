// A small hand-written Volatility ISF document for the importer and renderer tests: a struct with
// a nested struct, a union, an enum, bitfields, arrays, pointers (to a struct, to void, to a
// function) and a symbol. Offsets follow the C layout of:
//   enum color { RED = 0, GREEN = 1, BLUE = 7 };            (4 bytes, unsigned int base)
//   struct link { struct link *next; struct link *prev; };  (16 bytes)
//   union word { unsigned int u; char c[4]; };              (4 bytes)
//   struct thing {
//     struct link t_link;        // 0, 16
//     int t_id;                  // 16, 4
//     enum color t_color;        // 20, 4
//     unsigned int t_a : 3;      // 24, bits 0..2
//     unsigned int t_b : 5;      // 24, bits 3..7
//     union word t_word;         // 28, 4
//     char t_name[12];           // 32, 12
//     short t_vals[6];           // 44, 12
//     void *t_any;               // 56, 8
//     struct thing *t_self;      // 64, 8
//     void (*t_fn)(void);        // 72, 8
//   };                           // 80 bytes
#pragma once

inline constexpr const char* kSampleIsf = R"({
  "metadata": {"format": "6.2.0", "producer": {"name": "hand", "version": "1.0.0"}},
  "base_types": {
    "int": {"size": 4, "signed": true, "kind": "int", "endian": "little"},
    "unsigned int": {"size": 4, "signed": false, "kind": "int", "endian": "little"},
    "short": {"size": 2, "signed": true, "kind": "int", "endian": "little"},
    "char": {"size": 1, "signed": true, "kind": "char", "endian": "little"},
    "void": {"size": 0, "signed": false, "kind": "void", "endian": "little"},
    "pointer": {"size": 8, "signed": false, "kind": "int", "endian": "little"}
  },
  "user_types": {
    "link": {"kind": "struct", "size": 16, "fields": {
      "next": {"offset": 0, "type": {"kind": "pointer", "subtype": {"kind": "struct", "name": "link"}}},
      "prev": {"offset": 8, "type": {"kind": "pointer", "subtype": {"kind": "struct", "name": "link"}}}
    }},
    "word": {"kind": "union", "size": 4, "fields": {
      "u": {"offset": 0, "type": {"kind": "base", "name": "unsigned int"}},
      "c": {"offset": 0, "type": {"kind": "array", "count": 4, "subtype": {"kind": "base", "name": "char"}}}
    }},
    "thing": {"kind": "struct", "size": 80, "fields": {
      "t_link": {"offset": 0, "type": {"kind": "struct", "name": "link"}},
      "t_id": {"offset": 16, "type": {"kind": "base", "name": "int"}},
      "t_color": {"offset": 20, "type": {"kind": "enum", "name": "color"}},
      "t_a": {"offset": 24, "type": {"kind": "bitfield", "bit_position": 0, "bit_length": 3,
                                     "type": {"kind": "base", "name": "unsigned int"}}},
      "t_b": {"offset": 24, "type": {"kind": "bitfield", "bit_position": 3, "bit_length": 5,
                                     "type": {"kind": "base", "name": "unsigned int"}}},
      "t_word": {"offset": 28, "type": {"kind": "union", "name": "word"}},
      "t_name": {"offset": 32, "type": {"kind": "array", "count": 12, "subtype": {"kind": "base", "name": "char"}}},
      "t_vals": {"offset": 44, "type": {"kind": "array", "count": 6, "subtype": {"kind": "base", "name": "short"}}},
      "t_any": {"offset": 56, "type": {"kind": "pointer", "subtype": {"kind": "base", "name": "void"}}},
      "t_self": {"offset": 64, "type": {"kind": "pointer", "subtype": {"kind": "struct", "name": "thing"}}},
      "t_fn": {"offset": 72, "type": {"kind": "pointer", "subtype": {"kind": "function"}}}
    }}
  },
  "enums": {
    "color": {"size": 4, "base": "unsigned int", "constants": {"RED": 0, "GREEN": 1, "BLUE": 7}}
  },
  "symbols": {
    "_allthings": {"address": 18446743523962126336},
    "thing_count": {"address": 18446743523962126344}
  }
})";
