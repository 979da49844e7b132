package bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jruby.Ruby;
import org.jruby.RubyArray;
import org.jruby.RubyBignum;
import org.jruby.RubyBoolean;
import org.jruby.RubyClass;
import org.jruby.RubyFixnum;
import org.jruby.RubyFloat;
import org.jruby.RubyHash;
import org.jruby.RubyNil;
import org.jruby.RubyObject;
import org.jruby.RubyString;
import org.jruby.RubySymbol;
import org.jruby.anno.JRubyMethod;
import org.jruby.runtime.ThreadContext;
import org.jruby.runtime.builtin.IRubyObject;

/**
 * A stand-in for Logstash's Java Event, for `npm run bench ruby` only (the tests use the Ruby
 * stand-in in __tests__/logstash/harness.rb). Written from elastic/logstash v8.19.20,
 * logstash-core/src/main/java/org/logstash/:
 *
 * - ext/JrubyEventExtLibrary.java: get = Rubyfier.deep(getUnconvertedField), set =
 *   setField(Valuefier.convert), remove = Rubyfier.deep(remove), include?, tag, to_hash =
 *   Rubyfier.deep(data), cancel / cancelled?; references come in as RubyStrings;
 * - FieldReference.java: references parsed once and cached by their RubyString (a frozen
 *   copy) and by Java String; `[@metadata]` and `[@metadata][..]` go to the metadata map;
 * - ConvertedMap.java: maps are IdentityHashMaps keyed by interned Java Strings (a key cache
 *   in front of String.intern), built from a RubyHash by visiting it in Java;
 *   ConvertedList.java: ArrayLists;
 * - Valuefier.java (on set): Ruby strings, numbers, booleans, nil, symbols kept as they are
 *   (IDENTITY), hashes and arrays rebuilt deep; Rubyfier.java (on get): maps rebuilt as new
 *   RubyHashes with a new RubyString per key (RubyHash.put converts the Java key), lists as
 *   new RubyArrays, Ruby values as they are;
 * - Accessors.java: walk the path through maps and lists (list indexes, negative from the end),
 *   create missing maps on set, fail on set through a scalar;
 * - Event.java: `@metadata` taken out of the data at construction; tag() reads tags, appends
 *   the tag if absent and stores the list rebuilt (Javafier.deep, ConvertedList.newFromList).
 *
 * Not modelled: @timestamp as a LogStash::Timestamp and @version added at construction
 * (neither is read by our filters nor the guide's), illegal-tags handling, escape styles in
 * references, Java-side values (Strings, Longs, BigDecimal: our events hold only Ruby
 * values), sprintf, clone, to_json, the queue's serialization. A value class Logstash has
 * no converter for raises, as Logstash's MissingConverterException does.
 */
public final class StandInEvent extends RubyObject {
  private static final long serialVersionUID = 1L;

  private static final String METADATA = "@metadata";
  private static final String TAGS = "tags";

  // ConvertedMap.internStringForUseAsKey
  private static final ConcurrentHashMap<String, String> KEY_CACHE =
      new ConcurrentHashMap<>(100, 0.2F, 16);

  static String intern(final String candidate) {
    final String cached = KEY_CACHE.get(candidate);
    if (cached != null) return cached;
    final String interned = candidate.intern();
    if (KEY_CACHE.size() <= 10_000) KEY_CACHE.put(interned, interned);
    return interned;
  }

  /** ConvertedMap: identity map with interned keys. */
  static final class CMap extends IdentityHashMap<String, Object> {
    private static final long serialVersionUID = 1L;

    CMap(final int size) {
      super(size);
    }

    void putKey(final String key, final Object value) {
      super.put(intern(key), value);
    }
  }

  /** ConvertedList. */
  static final class CList extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;

    CList(final int size) {
      super(size);
    }
  }

  /** FieldReference: path and key, interned, and whether it is in @metadata. */
  static final class Ref {
    static final int META_PARENT = 0;
    static final int META_CHILD = 1;
    static final int DATA_CHILD = -1;
    final String[] path;
    final String key;
    final int type;

    Ref(final String[] path, final String key, final int type) {
      for (int i = 0; i < path.length; i++) path[i] = intern(path[i]);
      this.path = path;
      this.key = intern(key);
      this.type = type;
    }
  }

  private static final Map<RubyString, Ref> RUBY_REFS = new ConcurrentHashMap<>(64, 0.2F, 1);
  private static final Map<String, Ref> REFS = new ConcurrentHashMap<>(64, 0.2F, 1);

  static Ref ref(final Ruby runtime, final IRubyObject reference) {
    final RubyString source = (RubyString) reference;
    final Ref cached = RUBY_REFS.get(source);
    if (cached != null) return cached;
    final String text = source.asJavaString();
    Ref parsed = REFS.get(text);
    if (parsed == null) {
      parsed = parse(runtime, text);
      if (REFS.size() < 10_000) REFS.put(text, parsed);
    }
    if (RUBY_REFS.size() < 10_000) RUBY_REFS.put((RubyString) source.newFrozen(), parsed);
    return parsed;
  }

  // FieldReference.StrictTokenizer, without embedded references or escapes.
  private static Ref parse(final Ruby runtime, final String reference) {
    final List<String> tokens = new ArrayList<>();
    if (reference.indexOf('[') < 0 && reference.indexOf(']') < 0) {
      tokens.add(reference);
    } else {
      int i = 0;
      while (i < reference.length()) {
        final int close = reference.indexOf(']', i);
        if (reference.charAt(i) != '[' || close < 0 || close == i + 1) {
          throw runtime.newRuntimeError("Invalid FieldReference: `" + reference + "`");
        }
        final String token = reference.substring(i + 1, close);
        if (token.indexOf('[') >= 0) {
          throw runtime.newRuntimeError("Invalid FieldReference: `" + reference + "`");
        }
        tokens.add(token);
        i = close + 1;
      }
    }
    final String key = tokens.remove(tokens.size() - 1);
    if (tokens.isEmpty() && key.equals(METADATA)) {
      return new Ref(new String[0], key, Ref.META_PARENT);
    } else if (!tokens.isEmpty() && tokens.get(0).equals(METADATA)) {
      return new Ref(tokens.subList(1, tokens.size()).toArray(new String[0]), key, Ref.META_CHILD);
    }
    return new Ref(tokens.toArray(new String[0]), key, Ref.DATA_CHILD);
  }

  // Valuefier.convert, for the Ruby values a ruby filter can hand over.
  static Object valuefy(final ThreadContext context, final Object value) {
    if (value == null) return context.nil;
    if (value instanceof RubyString
        || value instanceof RubyFixnum
        || value instanceof RubyFloat
        || value instanceof RubyNil
        || value instanceof RubyBoolean
        || value instanceof RubySymbol
        || value instanceof RubyBignum
        || value instanceof CMap
        || value instanceof CList) {
      return value;
    }
    if (value instanceof RubyHash) return fromRubyHash(context, (RubyHash) value);
    if (value instanceof RubyArray) {
      final IRubyObject[] items = ((RubyArray<?>) value).toJavaArray();
      final CList list = new CList(items.length);
      for (final IRubyObject item : items) list.add(valuefy(context, item));
      return list;
    }
    if (value instanceof String) return context.runtime.newString((String) value);
    throw context.runtime.newTypeError("Missing Converter handling for " + value.getClass().getName());
  }

  private static final RubyHash.VisitorWithState<CMap> HASH_VISITOR =
      new RubyHash.VisitorWithState<CMap>() {
        @Override
        public void visit(
            final ThreadContext context,
            final RubyHash self,
            final IRubyObject key,
            final IRubyObject value,
            final int index,
            final CMap state) {
          final String name = key instanceof RubyString ? ((RubyString) key).asJavaString() : key.toString();
          state.putKey(name, valuefy(context, value));
        }
      };

  // ConvertedMap.newFromRubyHash
  static CMap fromRubyHash(final ThreadContext context, final RubyHash hash) {
    final CMap map = new CMap(hash.size());
    hash.visitAll(context, HASH_VISITOR, map);
    return map;
  }

  // Rubyfier.deep
  static IRubyObject rubyfy(final Ruby runtime, final Object value) {
    if (value == null) return runtime.getNil();
    if (value instanceof CMap) {
      final RubyHash hash = RubyHash.newHash(runtime);
      // RubyHash.put turns each Java String key into a new RubyString, as in Rubyfier.deepMap.
      ((CMap) value).forEach((k, v) -> hash.put(k, rubyfy(runtime, v)));
      return hash;
    }
    if (value instanceof Collection) {
      final Collection<?> list = (Collection<?>) value;
      final RubyArray<?> array = runtime.newArray(list.size());
      for (final Object item : list) array.add(rubyfy(runtime, item));
      return array;
    }
    if (value instanceof String) return runtime.newString((String) value);
    return (IRubyObject) value;
  }

  // Accessors
  private static boolean container(final Object o) {
    return o instanceof CMap || o instanceof CList;
  }

  private static int listIndex(final String key, final int size) {
    final int i = Integer.parseInt(key);
    return i < 0 ? size + i : i;
  }

  private static Object fetch(final Object target, final String key) {
    if (target instanceof CMap) return ((CMap) target).get(key);
    final CList list = (CList) target;
    try {
      return list.get(listIndex(key, list.size()));
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      return null;
    }
  }

  private static Object findParent(final CMap root, final Ref ref) {
    Object target = root;
    for (final String key : ref.path) {
      target = fetch(target, key);
      if (!container(target)) return null;
    }
    return target;
  }

  private static void setChild(final Ruby runtime, final Object target, final String key, final Object value) {
    if (target instanceof CMap) {
      ((CMap) target).put(key, value);
    } else if (target instanceof CList) {
      final CList list = (CList) target;
      final int index;
      try {
        index = Integer.parseInt(key);
      } catch (NumberFormatException e) {
        return;
      }
      if (index >= list.size()) {
        for (int i = list.size(); i < index; i++) list.add(null);
        list.add(value);
      } else {
        list.set(index < 0 ? list.size() + index : index, value);
      }
    } else {
      throw runtime.newRuntimeError("Could not set field '" + key + "' on object '" + target + "'");
    }
  }

  private static void set(final Ruby runtime, final CMap root, final Ref ref, final Object value) {
    Object target = root;
    for (final String key : ref.path) {
      Object next = fetch(target, key);
      if (next == null) {
        next = new CMap(1);
        setChild(runtime, target, key, next);
      }
      target = next;
    }
    setChild(runtime, target, ref.key, value);
  }

  private CMap data;
  private CMap metadata;
  private boolean cancelled;
  // Event#timestamp= (JrubyEventExtLibrary): Logstash keeps a Timestamp; the stand-in keeps the object given.
  private IRubyObject timestamp;

  public StandInEvent(final Ruby runtime, final RubyClass cls) {
    super(runtime, cls);
  }

  /** Defines the Ruby class `name` backed by this one. */
  public static void define(final Ruby runtime, final String name) {
    final RubyClass cls = runtime.defineClass(name, runtime.getObject(), StandInEvent::new);
    cls.defineAnnotatedMethods(StandInEvent.class);
  }

  @JRubyMethod(name = "initialize", required = 1)
  public IRubyObject initialize(final ThreadContext context, final IRubyObject hash) {
    data = fromRubyHash(context, (RubyHash) hash);
    final Object meta = data.remove(METADATA);
    metadata = meta instanceof CMap ? (CMap) meta : new CMap(10);
    return context.nil;
  }

  private Object unconverted(final Ref ref) {
    switch (ref.type) {
      case Ref.META_PARENT:
        return metadata;
      case Ref.META_CHILD:
        return get(metadata, ref);
      default:
        return get(data, ref);
    }
  }

  private static Object get(final CMap root, final Ref ref) {
    final Object parent = findParent(root, ref);
    return parent == null ? null : fetch(parent, ref.key);
  }

  @JRubyMethod(name = "get", required = 1)
  public IRubyObject get(final ThreadContext context, final IRubyObject reference) {
    return rubyfy(context.runtime, unconverted(ref(context.runtime, reference)));
  }

  @JRubyMethod(name = "set", required = 2)
  public IRubyObject set(final ThreadContext context, final IRubyObject reference, final IRubyObject value) {
    final Ref ref = ref(context.runtime, reference);
    switch (ref.type) {
      case Ref.META_PARENT:
        metadata = fromRubyHash(context, (RubyHash) value);
        break;
      case Ref.META_CHILD:
        set(context.runtime, metadata, ref, valuefy(context, value));
        break;
      default:
        set(context.runtime, data, ref, valuefy(context, value));
    }
    return value;
  }

  @JRubyMethod(name = "remove", required = 1)
  public IRubyObject remove(final ThreadContext context, final IRubyObject reference) {
    final Ref ref = ref(context.runtime, reference);
    if (ref.type == Ref.META_PARENT) {
      final CMap old = metadata;
      metadata = new CMap(10);
      return rubyfy(context.runtime, old);
    }
    final Object parent = findParent(ref.type == Ref.META_CHILD ? metadata : data, ref);
    if (parent instanceof CMap) return rubyfy(context.runtime, ((CMap) parent).remove(ref.key));
    if (parent instanceof CList) {
      final CList list = (CList) parent;
      try {
        return rubyfy(context.runtime, list.remove(listIndex(ref.key, list.size())));
      } catch (IndexOutOfBoundsException | NumberFormatException e) {
        return context.nil;
      }
    }
    return context.nil;
  }

  @JRubyMethod(name = "include?", required = 1)
  public IRubyObject include(final ThreadContext context, final IRubyObject reference) {
    final Ref ref = ref(context.runtime, reference);
    if (ref.type == Ref.META_PARENT) return context.tru;
    final Object parent = findParent(ref.type == Ref.META_CHILD ? metadata : data, ref);
    final boolean found =
        parent instanceof CMap && ((CMap) parent).containsKey(ref.key)
            || parent instanceof CList && fetch(parent, ref.key) != null;
    return RubyBoolean.newBoolean(context.runtime, found);
  }

  // Event.tag: Javafier.deep of the tags (Java Strings), append if absent, store rebuilt.
  @JRubyMethod(name = "tag", required = 1)
  public IRubyObject tag(final ThreadContext context, final IRubyObject value) {
    final String tag = ((RubyString) value).asJavaString();
    final Object tags = data.get(TAGS);
    if (tags == null) {
      final CList list = new CList(1);
      list.add(context.runtime.newString(tag));
      data.put(TAGS, list);
      return context.nil;
    }
    final List<String> names = new ArrayList<>();
    if (tags instanceof CList) {
      for (final Object t : (CList) tags) names.add(t.toString());
    } else {
      names.add(tags.toString());
    }
    if (!names.contains(tag)) {
      names.add(tag);
      final CList list = new CList(names.size());
      for (final String n : names) list.add(context.runtime.newString(n));
      data.put(TAGS, list);
    }
    return context.nil;
  }

  @JRubyMethod(name = "to_hash")
  public IRubyObject toHash(final ThreadContext context) {
    final IRubyObject hash = rubyfy(context.runtime, data);
    if (timestamp != null) ((RubyHash) hash).op_aset(context, context.runtime.newString(TIMESTAMP_KEY), timestamp);
    return hash;
  }

  private static final String TIMESTAMP_KEY = "@timestamp";

  @JRubyMethod(name = "timestamp=", required = 1)
  public IRubyObject setTimestamp(final ThreadContext context, final IRubyObject value) {
    timestamp = value;
    return value;
  }

  @JRubyMethod(name = "cancel")
  public IRubyObject cancel(final ThreadContext context) {
    cancelled = true;
    return context.tru;
  }

  @JRubyMethod(name = "cancelled?")
  public IRubyObject isCancelled(final ThreadContext context) {
    return RubyBoolean.newBoolean(context.runtime, cancelled);
  }
}
