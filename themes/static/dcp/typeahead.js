// Progressive enhancement: long lists become a type-ahead (accessible-autocomplete, served locally).
// Without JavaScript the plain <select> works as it is.
(function () {
  if (!window.accessibleAutocomplete) return;
  document.querySelectorAll('select[data-typeahead="true"]').forEach(function (select) {
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: '',
      showAllValues: true,
      dropdownArrow: function () { return ''; }
    });
  });
})();
