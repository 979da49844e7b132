# Runs the generated filter code against events, under whichever Ruby runs this file
# (MRI, or JRuby as inside Logstash). What it models, and nothing more:
#
# - logstash-filter-ruby 3.1.8 (lib/logstash/filters/ruby.rb): `init` is evaluated once in
#   the filter instance, `code` becomes the body of a singleton method taking `event`; so
#   each filter is its own object here, and an escaping exception is reported (Logstash
#   would tag `_rubyexception`; our code must never let one escape).
# - the parts of Logstash's Event API the code uses: get (returns a copy), set (stores a
#   copy), remove, tag, to_hash (a copy), cancel, timestamp=, Event.new, with field
#   references parsed once. Logstash's
#   Java event converts on get (Rubyfier.deep) and on set (Valuefier.convert), elastic/
#   logstash v8.19 logstash-core/src/main/java/org/logstash/ext/JrubyEventExtLibrary.java:
#   maps and lists are rebuilt, strings and numbers are the same objects (Rubyfier.java and
#   Valuefier.java, IDENTITY for RubyString). Here both copy maps and lists in Ruby the
#   same way, so the cost of reading or writing a whole subtree is modelled in kind, not
#   in size. Not modelled: on get, Rubyfier.deepMap makes a new RubyString for every key
#   (ConvertedMap keeps Java Strings); on set, ConvertedMap.newFromRubyHash turns every key
#   back into an interned Java String (v8.19.20 ConvertedMap.java). Both are Java loops,
#   where this copy is a Ruby one: a whole-subtree get or set may cost more or less here
#   (`npm run bench ruby` also times the filters on a Java stand-in that converts as Logstash).
#   Conditionals are Java in Logstash, one get here, so a guard may cost more here too.
#   @metadata is an ordinary key here (Logstash keeps it out of to_hash and the output).
# - `mutate { replace => { field => literal } }` and `if [field] == "literal"` guards, the
#   only other pieces of our filter section (the test refuses to flatten anything else).
#
# Input (stdin, JSON): { "programs": { name: [step, ...] }, "cases": [{ "name", "program",
# "event", "sleep"? (seconds before the case) }], "bench": { "iterations": n, "rounds": r }?,
# "java_event": dir? }, where a step is { "init"?, "code" } or
# { "replace": { field: value } }, with an optional "when": [[field, value], ...].
# Output (stdout, JSON): [{ "name", "event", "error", "cancelled", "emitted": [event, ...] }]
# (programs, so filter state, live for the whole run: cases are one stream of events), or
# with "bench" the CPU
# microseconds per event of each program on each case (median of the rounds, after a
# round-robin warm-up) and of each of its steps, and under JRuby the bytes each program
# allocates per event. With "java_event" (JRuby, `npm run bench`
# only), events are the Java stand-in compiled into that class directory
# (scripts/bench/java-event/StandInEvent.java says what it models) instead of HarnessEvent.
require 'json'

class HarnessEvent
  def initialize(data)
    @data = data
  end

  # Logstash rebuilds maps and lists on every get (strings are shared); a deep copy stands in.
  def get(reference)
    HarnessEvent.deep_copy(path(reference).reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil })
  end

  def self.deep_copy(value)
    if value.is_a?(Hash)
      copy = value.dup
      copy.each { |k, v| copy[k] = deep_copy(v) if v.is_a?(Hash) || v.is_a?(Array) }
    elsif value.is_a?(Array)
      value.map { |v| v.is_a?(Hash) || v.is_a?(Array) ? deep_copy(v) : v }
    else
      value
    end
  end

  def set(reference, value)
    *parents, last = path(reference)
    node = parents.reduce(@data) do |current, key|
      current[key] = {} if current[key].nil?
      raise TypeError, "cannot set #{reference}: #{key} is not a map" unless current[key].is_a?(Hash)
      current[key]
    end
    node[last] = HarnessEvent.deep_copy(value)
  end

  def remove(reference)
    *parents, last = path(reference)
    node = parents.reduce(@data) { |current, key| current.is_a?(Hash) ? current[key] : nil }
    node.delete(last) if node.is_a?(Hash)
  end

  def cancel
    @cancelled = true
  end

  def cancelled?
    @cancelled == true
  end

  # Logstash's Event#timestamp= takes a LogStash::Timestamp; the output shows it as ISO 8601.
  def timestamp=(value)
    raise TypeError, "expected LogStash::Timestamp, got #{value.class}" unless value.is_a?(LogStash::Timestamp)

    @data['@timestamp'] = value
  end

  def tag(name)
    tags = get('tags')
    tags = [] unless tags.is_a?(Array)
    tags << name unless tags.include?(name)
    set('tags', tags)
  end

  def to_hash
    HarnessEvent.deep_copy(@data)
  end

  def data
    @data
  end

  private

  # Parsed once per reference, as Logstash's FieldReference caches them.
  PATHS = {}

  # Logstash's strict FieldReference refuses unbalanced brackets with a RuntimeError
  # (v8.19.20 FieldReference.java, JrubyEventExtLibrary.java extractFieldReference); the
  # rest of its grammar is not modelled.
  def path(reference)
    depth = 0
    reference.each_char do |c|
      depth += 1 if c == '['
      depth -= 1 if c == ']'
      raise "Invalid FieldReference: `#{reference}`" if depth.negative?
    end
    raise "Invalid FieldReference: `#{reference}`" unless depth.zero?

    PATHS[reference] ||= reference.start_with?('[') ? reference.scan(/\[([^\[\]]+)\]/).flatten.freeze : [reference].freeze
  end
end

# LogStash::Event.new(hash) for the events a filter emits, and LogStash::Timestamp.at, which
# is Ruby's Time.at (elastic/logstash v8.19.20 JrubyTimestampExtLibrary.java ruby_at).
module LogStash
  class Timestamp
    attr_reader :time

    def initialize(time)
      @time = time
    end

    def self.at(*args)
      new(Time.at(*args))
    end

    # Formatted only for the output, so the bench times Time.at and not strftime.
    def to_json(*args)
      @time.utc.strftime('%Y-%m-%dT%H:%M:%S.%9NZ').to_json(*args)
    end
  end

  Event = HarnessEvent unless const_defined?(:Event)
end

# One ruby filter instance, compiled as logstash-filter-ruby compiles inline code.
class HarnessRubyFilter
  def initialize(init, code)
    eval(init, binding, '(ruby filter init)') if init
    eval("define_singleton_method :filter_method do |event, &new_event_block|\n #{code} \nend", binding, '(ruby filter code)')
  end
end

Step = Struct.new(:guards, :filter, :replace) do
  def applies?(event)
    guards.all? { |field, value| event.get(field) == value }
  end

  # As logstash-filter-ruby passes it: a block that takes the events the code emits.
  def run(event, &new_event_block)
    return unless applies?(event)
    if filter
      filter.filter_method(event, &new_event_block)
    else
      replace.each { |field, value| event.set(field, value) }
    end
  end
end

input = JSON.parse($stdin.read)
if (classes = input['java_event'])
  require 'java'
  require 'jruby'
  $CLASSPATH << File.join(classes, '')
  Java::Bench::StandInEvent.define(JRuby.runtime, 'JavaStandInEvent')
  new_event = ->(data) { JavaStandInEvent.new(data) }
  # Logstash keeps @metadata out of to_hash; the output shows it as HarnessEvent#data does.
  event_data = lambda do |event|
    metadata = event.get('@metadata')
    metadata.empty? ? event.to_hash : event.to_hash.merge('@metadata' => metadata)
  end
else
  new_event = ->(data) { HarnessEvent.new(data) }
  event_data = ->(event) { event.data }
end
programs = input.fetch('programs').transform_values do |steps|
  steps.map do |step|
    filter = step.key?('code') ? HarnessRubyFilter.new(step['init'], step.fetch('code')) : nil
    Step.new(step.fetch('when', []), filter, step['replace'])
  end
end

# As elastic/logstash v8.19.20 logstash-core/lib/logstash/filters/base.rb multi_filter (and
# config/ir/compiler/Utils.java copyNonCancelledEvents, between the compiled steps): an
# emitted event follows the one that emitted it through the later steps; a cancelled one
# goes no further. Returns the events that reach the output.
cancelled = ->(event) { event.respond_to?(:cancelled?) && event.cancelled? }
run_program = lambda do |steps, event|
  events = [event]
  steps.each do |step|
    events = events.each_with_object([]) do |e, out|
      next if cancelled.call(e)

      out << e
      step.run(e) { |emitted| out << emitted }
    end
  end
  events.reject(&cancelled)
end

if (bench = input['bench'])
  iterations = bench.fetch('iterations')
  rounds = bench.fetch('rounds', 5)
  cases = input.fetch('cases')
  # CPU time of this thread, not wall time: the machine may be shared, and a descheduled
  # thread's wait is not the filters' cost (the JVM's GC and JIT threads are not counted).
  cpu = if RUBY_ENGINE == 'jruby'
          threads = java.lang.management.ManagementFactory.getThreadMXBean
          -> { threads.getCurrentThreadCpuTime }
        else
          -> { Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID, :nanosecond) }
        end
  # Bytes this thread allocates (HotSpot's com.sun.management.ThreadMXBean, JDK 14+): unlike
  # CPU time, the same on a busy machine as on an idle one. Not available under MRI.
  allocated = (-> { threads.getCurrentThreadAllocatedBytes } if RUBY_ENGINE == 'jruby')
  fresh = ->(c) { new_event.call(HarnessEvent.deep_copy(c.fetch('event'))) }
  # Batches of 125 fresh events, as a Logstash worker takes them (pipeline.batch.size's
  # default): only the filters are timed, and only one batch is alive at a time.
  batch = 125
  batches = [(iterations + batch - 1) / batch, 1].max
  time_batch = lambda do |c, per_step|
    steps = programs.fetch(c.fetch('program'))
    events = Array.new(batch) { fresh.call(c) }
    if per_step
      events.each do |event|
        steps.each_with_index do |step, i|
          t = cpu.call
          step.run(event)
          per_step[i] += cpu.call - t
        end
      end
    else
      t = cpu.call
      events.each { |event| run_program.call(steps, event) }
      cpu.call - t
    end
  end
  # Warm-up, round robin: JRuby compiles hot methods after a while; Logstash runs for days.
  batches.times { cases.each { |c| time_batch.call(c, nil) } }
  totals = Hash.new { |h, k| h[k] = [] }
  per_step = {}
  rounds.times do
    cases.each do |c|
      spent = 0
      batches.times { spent += time_batch.call(c, nil) }
      totals[c.fetch('name')] << spent / 1e3 / (batches * batch)
    end
  end
  # Per step, in a separate round (the clock calls would otherwise count in the totals above).
  cases.each do |c|
    spent = Array.new(programs.fetch(c.fetch('program')).length, 0)
    batches.times { time_batch.call(c, spent) }
    per_step[c.fetch('name')] = spent.map { |ns| ns / 1e3 / (batches * batch) }
  end
  # Allocation per event, after the rounds above (the JIT has settled): one batch per case.
  bytes = {}
  if allocated
    cases.each do |c|
      steps = programs.fetch(c.fetch('program'))
      events = Array.new(batch) { fresh.call(c) }
      before = allocated.call
      events.each { |event| run_program.call(steps, event) }
      bytes[c.fetch('name')] = (allocated.call - before) / batch.to_f
    end
  end
  median = ->(xs) { s = xs.sort; s.length.odd? ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0 }
  $stdout.write(JSON.generate(cases.map do |c|
    name = c.fetch('name')
    { 'name' => name, 'microseconds' => median.call(totals[name]), 'rounds' => totals[name], 'steps' => per_step[name],
      'bytes' => bytes[name] }
  end))
  exit 0
end

results = input.fetch('cases').map do |test_case|
  sleep(test_case['sleep']) if test_case['sleep']
  event = new_event.call(test_case.fetch('event'))
  error = nil
  out = []
  begin
    out = run_program.call(programs.fetch(test_case.fetch('program')), event)
  rescue Exception => e # any escape at all is what the tests look for
    error = "#{e.class}: #{e.message}"
  end
  { 'name' => test_case.fetch('name'), 'event' => event_data.call(event), 'error' => error,
    'cancelled' => cancelled.call(event), 'emitted' => out.reject { |e| e.equal?(event) }.map(&event_data) }
end

$stdout.write(JSON.generate(results))
