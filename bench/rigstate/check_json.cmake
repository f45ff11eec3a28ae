# Runs bench_rigstate --json over the given logs merged and checks the shape
# of its one JSON object: it ran, read every log, and carries the fields the
# classifier's tuning reads. No floor on the agreement (the classifier is
# being reworked): score.rigstate asserts one on the GenTime excerpt.
#   cmake -DBENCH=path/bench_rigstate -DFILES="a.xml;b.xml" -P check_json.cmake
set(args --json)
list(LENGTH FILES n_files)
foreach(f ${FILES})
  list(APPEND args --file ${f})
endforeach()
execute_process(COMMAND ${BENCH} ${args} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bench_rigstate exited ${rc}: ${err}")
endif()
string(JSON files ERROR_VARIABLE jerr GET "${out}" files)
if(jerr)
  message(FATAL_ERROR "not one JSON object (${jerr}):\n${out}")
endif()
if(NOT files EQUAL n_files)
  message(FATAL_ERROR "files is ${files}, ${n_files} logs given")
endif()
foreach(path "labelled_min" "agreement_pct" "agreement_dated_pct" "classes" "confusion_min" "alerts;kick"
             "alerts;lost_circulation" "alerts;washout" "alerts;stuck_pipe" "channels;logs" "channels;merged;hook_load"
             "rig_channels" "rig_channels_missing" "samples" "hours")
  string(JSON value ERROR_VARIABLE jerr GET "${out}" ${path})
  if(jerr)
    message(FATAL_ERROR "no ${path} in the JSON: ${jerr}")
  endif()
endforeach()
string(JSON n_logs LENGTH "${out}" channels logs)
string(JSON labelled GET "${out}" labelled_min)
string(JSON in_slips GET "${out}" classes in_slips label_min)
if(NOT n_logs EQUAL n_files OR NOT labelled GREATER 0 OR NOT in_slips GREATER 0)
  message(FATAL_ERROR "channel report of ${n_logs} logs, ${labelled} labelled min, ${in_slips} min in slips:\n${out}")
endif()
message(STATUS "bench_rigstate --json: ${files} logs, ${labelled} labelled min")
