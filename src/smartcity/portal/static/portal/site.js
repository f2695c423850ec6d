// Lists that apply a choice at once (the language, the desk's procedure) are submitted when they change.
// A static file, not an inline handler: the Content-Security-Policy allows no inline script.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
